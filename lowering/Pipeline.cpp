//===- Pipeline.cpp - sequence -> PTX ------------------------------------===//
//
// The whole lowering, as flashrnn-compile runs it and as flashrnn-opt shows
// it stage by stage (-flashrnn-to-ptx -mlir-print-ir-after-all).
//
//===----------------------------------------------------------------------===//
#include "lowering/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::flashrnn;

void mlir::flashrnn::buildSequenceToPtxPipeline(
    OpPassManager &pm, const PtxPipelineOptions &options) {
  // Tile level: schedule, fused kernel, R on chip, one barrier per step.
  FlashRNNPlanOptions plan;
  plan.chip = options.chip;
  plan.batchTile = options.batchTile;
  plan.training = options.training;
  plan.mma = options.mma;
  plan.clusters = options.clusters;
  plan.taggedExchange = options.taggedExchange;
  plan.clusterExchange = options.clusterExchange;
  plan.maxClusterCtas = options.maxClusterCtas;
  plan.forwardSharedRTiles = options.forwardSharedRTiles;
  plan.batchVariants = options.batchVariants;
  plan.stagedStores = options.stagedStores;
  plan.forwardKSlices = options.forwardKSlices;
  plan.backwardKSlices = options.backwardKSlices;
  plan.trainingHParts = options.trainingHParts;
  plan.backwardDgParts = options.backwardDgParts;
  plan.backwardRowSplit = options.backwardRowSplit;
  pm.addPass(createFlashRNNPlan(plan));
  if (options.training)
    pm.addPass(createFlashRNNDeriveBackward());
  FlashRNNFuseTimeLoopOptions fuse;
  fuse.reduction = options.reduction;
  pm.addPass(createFlashRNNFuseTimeLoop(fuse));
  pm.addPass(createFlashRNNCacheRecurrentWeights());
  pm.addPass(createFlashRNNGridSync());

  // GPU level: only the kernel module is lowered; the host side keeps the
  // sequence op, which the package emitter reads.
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  if (options.approximateMath)
    kernels.addPass(createFlashRNNApproximateMath());
  kernels.addPass(createFlashRNNExpandCellOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createSCFToControlFlowPass());
  // memref.collapse_shape (the reduction's flat B x T views) into
  // reinterpret_cast, which the memref-to-LLVM patterns take.
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.cudaToolkit;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
