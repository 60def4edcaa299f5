//===- RegisterFlashRNN.cpp - one registration entry point ----------------===//
//
// Every dialect, interface and translation the pipeline needs. Debian's
// LLVM has assertions off, so a missing registration crashes instead of
// asserting: keep this list complete (see STYLE.md, pitfall 3).
//
//===----------------------------------------------------------------------===//
#include "lowering/RegisterFlashRNN.h"
#include "dialect/FlashRNNDialect.h"
#include "lowering/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

void mlir::flashrnn::registerFlashRNNDialects(DialectRegistry &registry) {
  registry.insert<FlashRNNDialect, arith::ArithDialect, math::MathDialect,
                  func::FuncDialect, tensor::TensorDialect, gpu::GPUDialect,
                  NVVM::NVVMDialect, LLVM::LLVMDialect, scf::SCFDialect,
                  memref::MemRefDialect, cf::ControlFlowDialect,
                  index::IndexDialect, ub::UBDialect,
                  vector::VectorDialect>();
  // Lowering of every dialect the kernel contains to LLVM/NVVM.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  NVVM::registerConvertGpuToNVVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  // LLVM IR translation, for gpu-module-to-binary.
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

namespace {
struct ToPtxOptions : mlir::PassPipelineOptions<ToPtxOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("target chip"),
                           llvm::cl::init("sm_90")};
  Option<int64_t> batchTile{*this, "batch-tile",
                            llvm::cl::desc("batch rows per CTA"),
                            llvm::cl::init(8)};
  Option<bool> training{*this, "training",
                        llvm::cl::desc("also build the backward kernels"),
                        llvm::cl::init(true)};
  Option<bool> mma{*this, "mma",
                   llvm::cl::desc("tensor-core forward where a head fits one CTA"),
                   llvm::cl::init(true)};
  Option<bool> clusters{*this, "clusters",
                        llvm::cl::desc("on sm_90, a tensor-core forward head "
                                       "over at most 8 CTAs as one cluster"),
                        llvm::cl::init(true)};
  Option<std::string> clusterExchange{
      *this, "cluster-exchange",
      llvm::cl::desc("h across a cluster's CTAs: barrier or async"),
      llvm::cl::init("async")};
  Option<int64_t> maxClusterCtas{
      *this, "max-cluster-ctas",
      llvm::cl::desc("on sm_90, the most CTAs of a non-portable cluster "
                     "(R split between registers and shared memory)"),
      llvm::cl::init(16)};
  Option<bool> batchVariants{
      *this, "batch-variants",
      llvm::cl::desc("also plan a grid-barrier forward as a cluster for "
                     "large batches (two forwards per package)"),
      llvm::cl::init(true)};
  Option<bool> stagedStores{
      *this, "staged-stores",
      llvm::cl::desc("stage the tensor-core kernels' per-step outputs in "
                     "shared memory"),
      llvm::cl::init(true)};
  Option<int64_t> forwardKSlices{
      *this, "forward-k-slices",
      llvm::cl::desc("the fewest K slices of the tensor-core forward"),
      llvm::cl::init(1)};
  Option<int64_t> backwardKSlices{
      *this, "backward-k-slices",
      llvm::cl::desc("the fewest K slices of the tensor-core backward"),
      llvm::cl::init(1)};
  Option<int64_t> trainingHParts{
      *this, "training-h-parts",
      llvm::cl::desc("element-type terms of h in the training forward's "
                     "matmul: 1, 2, or 0 (by cell)"),
      llvm::cl::init(0)};
  Option<int64_t> backwardDgParts{
      *this, "backward-dg-parts",
      llvm::cl::desc("element-type terms of dg in the backward's matmul: 1, "
                     "2, or 0 (1)"),
      llvm::cl::init(0)};
  Option<int64_t> backwardRowSplit{
      *this, "backward-row-split",
      llvm::cl::desc("warps per group of units in the one-CTA backward: 1, "
                     "2, or 0 (the planner's choice)"),
      llvm::cl::init(0)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("tanh.approx for tanh and sigmoid in bf16/f16 kernels"),
      llvm::cl::init(true)};
  Option<std::string> reduction{
      *this, "reduction",
      llvm::cl::desc("dR/db reduction kernel: auto, mma, sliced or serial"),
      llvm::cl::init("auto")};
  Option<std::string> toolkit{*this, "cuda-toolkit",
                              llvm::cl::desc("CUDA toolkit (libdevice)"),
                              llvm::cl::init("/usr/local/cuda")};
};
} // namespace

void mlir::flashrnn::registerFlashRNNPasses() {
  registerFlashRNNLoweringPasses();
  // Upstream passes the pipeline uses, so each stage can be run alone.
  // (Registered one by one: mlir/Conversion/Passes.h would register them all
  // and costs half a minute of compile time per file that includes it.)
  registerCanonicalizerPass();
  registerCSEPass();
  registerPass([] { return createSCFToControlFlowPass(); });
  registerPass([] { return memref::createExpandStridedMetadataPass(); });
  registerPass([] { return createLowerAffinePass(); });
  registerPass([] { return createConvertGpuOpsToNVVMOps(); });
  registerPass([] { return createReconcileUnrealizedCastsPass(); });
  registerPass([] { return createGpuModuleToBinaryPass(); });
  PassPipelineRegistration<ToPtxOptions>(
      "flashrnn-to-ptx",
      "plan, fuse, cache R, synchronise and lower every sequence to PTX",
      [](OpPassManager &pm, const ToPtxOptions &options) {
        PtxPipelineOptions o;
        o.chip = options.chip;
        o.batchTile = options.batchTile;
        o.training = options.training;
        o.mma = options.mma;
        o.clusters = options.clusters;
        o.clusterExchange = options.clusterExchange;
        o.maxClusterCtas = options.maxClusterCtas;
        o.batchVariants = options.batchVariants;
        o.stagedStores = options.stagedStores;
        o.forwardKSlices = options.forwardKSlices;
        o.backwardKSlices = options.backwardKSlices;
        o.trainingHParts = options.trainingHParts;
        o.backwardDgParts = options.backwardDgParts;
        o.backwardRowSplit = options.backwardRowSplit;
        o.approximateMath = options.approximateMath;
        o.reduction = options.reduction;
        o.cudaToolkit = options.toolkit;
        buildSequenceToPtxPipeline(pm, o);
      });
}
