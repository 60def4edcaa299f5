//===- FuseTimeLoop.cpp - the flashrnn-fuse-time-loop pass ----------------===//
//
// Turns every planned sequence into its persistent kernels, in the
// gpu.module @flashrnn_kernels:
//   <cell>_forward        inference: writes states and last only;
//   <cell>_forward_fromNtiles  the same under a batch variant's schedule
//                         (flashrnn.batch_variants), one per variant;
// and, when the plan has a backward schedule (training):
//   <cell>_forward_train  the forward that also saves what the backward needs
//                         (and its batch variants),
//   <cell>_backward       the fused reverse time loop,
//   <cell>_backward_reduce dR and db.
// The kernels' launch descriptions are kept on the sequence op
// (flashrnn.kernels) for the package emitter.
//
//===----------------------------------------------------------------------===//
#include "lowering/DeriveBackward/DeriveBackward.h"
#include "lowering/FuseTimeLoop/KernelBuilder.h"
#include "lowering/Passes.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNFUSETIMELOOP
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

constexpr llvm::StringLiteral kKernelModuleName = "flashrnn_kernels";

struct FlashRNNFuseTimeLoop
    : flashrnn::impl::FlashRNNFuseTimeLoopBase<FlashRNNFuseTimeLoop> {
  using FlashRNNFuseTimeLoopBase::FlashRNNFuseTimeLoopBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<SequenceOp> sequences;
    module.walk([&](SequenceOp op) { sequences.push_back(op); });
    for (SequenceOp sequence : sequences)
      if (failed(fuse(module, sequence)))
        return signalPassFailure();
  }

  /// A kernel name not yet taken in `kernels`: sequences of the same cell
  /// get _1, _2, ...
  static std::string uniqueName(gpu::GPUModuleOp kernels, const Twine &baseName) {
    std::string base = baseName.str();
    std::string name = base;
    for (unsigned n = 1; kernels.lookupSymbol(name); ++n)
      name = base + "_" + std::to_string(n);
    return name;
  }

  LogicalResult fuse(ModuleOp module, SequenceOp sequence) {
    auto schedule = sequence->getAttrOfType<ScheduleAttr>(kScheduleAttrName);
    if (!schedule)
      return sequence.emitOpError()
             << "has no schedule: run flashrnn-plan before "
                "flashrnn-fuse-time-loop";
    auto cell = SymbolTable::lookupNearestSymbolFrom<CellOp>(
        sequence, sequence.getCellAttr());
    if (failed(checkSharedRTiles(sequence, schedule)))
      return failure();
    // The forward's variants for large batches (flashrnn-plan), checked
    // like the schedule; each gets its own forward kernels.
    SmallVector<BatchVariantAttr> variants;
    if (Attribute attr = sequence->getAttr(kBatchVariantsAttrName)) {
      auto array = dyn_cast<ArrayAttr>(attr);
      int64_t previous = 1;
      for (Attribute element : array ? array.getValue() : ArrayRef<Attribute>{}) {
        auto variant = dyn_cast<BatchVariantAttr>(element);
        if (!variant)
          break;
        if (variant.getMinHeadTiles() <= previous)
          return sequence.emitOpError()
                 << "has batch variants out of order: minHeadTiles "
                 << variant.getMinHeadTiles() << " after " << previous
                 << " (expected increasing, from 2)";
        if (variant.getSchedule().getChip() != schedule.getChip())
          return sequence.emitOpError()
                 << "has a batch variant for " << variant.getSchedule().getChip()
                 << " but its schedule is for " << schedule.getChip();
        if (failed(checkSharedRTiles(sequence, variant.getSchedule())))
          return failure();
        previous = variant.getMinHeadTiles();
        variants.push_back(variant);
      }
      if (!array || variants.size() != array.size())
        return sequence.emitOpError()
               << "has a " << kBatchVariantsAttrName
               << " attribute that is not an array of #flashrnn.batch_variant";
    }
    auto backwardSchedule =
        sequence->getAttrOfType<ScheduleAttr>(kBackwardScheduleAttrName);
    func::FuncOp adjoint;
    if (backwardSchedule) {
      adjoint = lookupAdjoint(cell);
      if (!adjoint)
        return sequence.emitOpError()
               << "is planned for training but cell '@" << cell.getSymName()
               << "' has no adjoint: run flashrnn-derive-backward before "
                  "flashrnn-fuse-time-loop";
    }
    bool anyAsync = schedule.getAsyncExchange() ||
                    llvm::any_of(variants, [](BatchVariantAttr v) {
                      return v.getSchedule().getAsyncExchange();
                    });
    gpu::GPUModuleOp kernels = getOrCreateKernelModule(module, schedule, anyAsync);
    auto target = cast<NVVM::NVVMTargetAttr>(kernels.getTargetsAttr()[0]);
    if (target.getChip() != schedule.getChip().getValue())
      return sequence.emitOpError()
             << "is planned for " << schedule.getChip()
             << " but other sequences of this module for " << target.getChip()
             << "; compile them separately";

    Builder b(&getContext());
    StringRef cellName = cell.getSymName();
    int64_t dh = cast<RankedTensorType>(sequence.getWx().getType()).getDimSize(4);
    auto persistentGrid = [&]() -> SmallVector<Attribute> {
      return {b.getStringAttr("ctas_per_head"), b.getStringAttr("heads"),
              b.getStringAttr("batch_tiles")};
    };
    SmallVector<Attribute> descriptions;
    // A forward kernel of `kind` under `s`; a batch variant's (from > 0)
    // is named after its threshold and carries it as min_head_tiles, which
    // the runtime compares with NH x ceil(B / batch_tile).
    auto addForward = [&](StringRef kind, ScheduleAttr s,
                          int64_t from) -> gpu::GPUFuncOp {
      // The schedule says which kernel: tensor cores with R in registers,
      // or the scalar matmul (R in shared or global memory).
      auto build = s.getRPlacement() == "registers" ? buildMmaForwardKernel
                                                    : buildForwardKernel;
      std::string name = (cellName + "_" + kind).str();
      if (from > 0)
        name += "_from" + std::to_string(from) + "tiles";
      gpu::GPUFuncOp func = build(kernels, uniqueName(kernels, name), sequence,
                                  cell, s, /*training=*/kind != "forward");
      NamedAttrList fields(describeKernel(func, kind, s, persistentGrid(),
                                          s.getThreads(), s.getSharedBytes(),
                                          s.getGridBarrier()));
      if (from > 0)
        fields.set("min_head_tiles", b.getI64IntegerAttr(from));
      descriptions.push_back(fields.getDictionary(&getContext()));
      return func;
    };
    auto addForwards = [&](StringRef kind) {
      gpu::GPUFuncOp func = addForward(kind, schedule, 0);
      for (BatchVariantAttr v : variants)
        addForward(kind, v.getSchedule(), v.getMinHeadTiles());
      return func;
    };

    gpu::GPUFuncOp forward = addForwards("forward");
    sequence->setAttr("flashrnn.kernel",
                      SymbolRefAttr::get(&getContext(), kKernelModuleName,
                                         {FlatSymbolRefAttr::get(
                                             forward.getNameAttr())}));

    if (backwardSchedule) {
      addForwards("forward_train");
      FailureOr<StringRef> kind = reductionKind(sequence, cell, dh);
      if (failed(kind))
        return failure();
      // The reduction beside the backward: the backward publishes its steps
      // and the tensor-core reduction waits for them, slice by slice
      // (BackwardProgress.h). Not for a cell of one gate value (Elman): its
      // short step lost more to the reduction's traffic beside it than the
      // reduction takes after it (H200, B = 16, fw+bw: Elman 64 0.727 ->
      // 0.739 ms, Elman 768 5.21 -> 5.51; LSTM 64 1.645 -> 1.606, GRU 64
      // 1.458 -> 1.395, LSTM 768 9.59 -> 8.60).
      // Nor for the scalar backward (R in shared memory, sLSTM 768), which
      // publishes only at its end: beside it the reduction would only wait
      // (sLSTM 768 fw+bw 39.4 -> 53.4 ms with the waits polled hard, s11c).
      const bool beside = *kind == "mma" &&
                          CellLayout(cell).numGateValues > 1 &&
                          backwardSchedule.getRPlacement() == "registers";
      auto buildBackward = backwardSchedule.getRPlacement() == "registers"
                               ? buildMmaBackwardKernel
                               : buildBackwardKernel;
      gpu::GPUFuncOp backward = buildBackward(
          kernels, uniqueName(kernels, cellName + "_backward"), sequence, cell,
          adjoint, backwardSchedule, beside);
      descriptions.push_back(describeKernel(
          backward, "backward", backwardSchedule, persistentGrid(),
          backwardSchedule.getThreads(), backwardSchedule.getSharedBytes(),
          backwardSchedule.getGridBarrier()));
      std::string reduceName =
          uniqueName(kernels, cellName + "_backward_reduce");
      gpu::GPUFuncOp reduce;
      int64_t blocks = 0, threads = kReduceThreads, reduceShared = 0;
      if (*kind == "mma") {
        reduce = buildMmaReduceKernel(kernels, reduceName, sequence, cell,
                                      backwardSchedule);
        blocks = mmaReduceBlocksPerHead(CellLayout(cell).numGateValues, dh);
        threads = mmaReduceThreads();
        reduceShared = mmaReduceSharedBytes();
      } else if (*kind == "sliced") {
        reduce = buildSlicedReduceKernel(kernels, reduceName, sequence, cell,
                                         reduceShared);
        int64_t elementsPerBlock = kReduceThreads / kReduceSlices;
        blocks = (dh * dh + elementsPerBlock - 1) / elementsPerBlock;
      } else {
        reduce = buildReduceKernel(kernels, reduceName, sequence, cell);
        blocks = (dh * dh + kReduceThreads - 1) / kReduceThreads;
      }
      // Which reduction, for flashrnn-compile's summary.
      sequence->setAttr("flashrnn.reduction", b.getStringAttr(*kind));
      // Where the backward publishes its steps the runtime may run the
      // reduction beside it; otherwise after it (where every wait passes).
      NamedAttrList reduceFields(describeKernel(
          reduce, "backward_reduce", ScheduleAttr(),
          {b.getI64IntegerAttr(blocks), b.getStringAttr("heads"),
           b.getI64IntegerAttr(1)},
          threads, reduceShared, false));
      reduceFields.set("waits_for_progress", b.getBoolAttr(beside));
      descriptions.push_back(reduceFields.getDictionary(&getContext()));
    }
    sequence->setAttr(kKernelsAttrName, b.getArrayAttr(descriptions));
    return success();
  }

  /// Which reduction kernel the `reduction` option asks for: "auto" takes
  /// the tensor-core GEMM for bf16/f16 (its tf32 operands carry more bits
  /// than their inputs; for f32 they would not) and the sliced kernel
  /// otherwise.
  FailureOr<StringRef> reductionKind(SequenceOp sequence, CellOp cell,
                                     int64_t dh) {
    Type e = SequenceShape(sequence).elementType;
    bool mmaApplies = (e.isBF16() || e.isF16()) &&
                      mmaReduceFits(CellLayout(cell).numGateValues, dh);
    if (reduction == "auto")
      return StringRef(mmaApplies ? "mma" : "sliced");
    if (reduction == "sliced" || reduction == "serial")
      return StringRef(reduction);
    if (reduction == "mma") {
      if (!mmaApplies)
        return sequence.emitOpError()
               << "cannot use the tensor-core reduction (reduction=mma): it "
                  "takes bf16 or f16 sequences, this one is "
               << e << "; use reduction=sliced or auto",
               failure();
      return StringRef("mma");
    }
    return sequence.emitOpError()
           << "unknown reduction '" << reduction
           << "': expected auto, mma, sliced or serial",
           failure();
  }

  /// R's fragments in shared memory are k-tiles of a warp's K slice
  /// (threads = 4 U S in the tensor-core forward): at most all of them.
  static LogicalResult checkSharedRTiles(SequenceOp sequence,
                                         ScheduleAttr schedule) {
    int64_t shared = schedule.getSharedRTiles();
    if (shared == 0)
      return success();
    int64_t headDim =
        cast<RankedTensorType>(sequence.getWx().getType()).getDimSize(4);
    int64_t groups = schedule.getUnitsPerCta() / 8;
    int64_t slices = groups > 0 ? schedule.getThreads() / (32 * groups) : 0;
    int64_t sliceTiles = slices > 0 ? headDim / 16 / slices : 0;
    if (shared > sliceTiles)
      return sequence.emitOpError()
             << "has sharedRTiles = " << shared
             << " but its forward's K slices have " << sliceTiles
             << " k-tile(s) each (head dimension " << headDim << ", "
             << slices << " slice(s))";
    return success();
  }

  /// `async`: some kernel of the sequence exchanges h by st.async.
  gpu::GPUModuleOp getOrCreateKernelModule(ModuleOp module,
                                           ScheduleAttr schedule, bool async) {
    MLIRContext *ctx = &getContext();
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(ctx));
    // PTX ISA 8.0 covers every kernel but the cluster's asynchronous
    // exchange of h, whose st.async needs 8.1; the other packages keep 8.0.
    auto targetFor = [&](StringRef features) {
      return NVVM::NVVMTargetAttr::get(ctx, /*optLevel=*/3,
                                       "nvptx64-nvidia-cuda",
                                       schedule.getChip().getValue(),
                                       features);
    };
    StringRef features = async ? "+ptx81" : "+ptx80";
    if (auto existing =
            module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName)) {
      if (async)
        existing.setTargetsAttr(Builder(ctx).getArrayAttr({targetFor(features)}));
      return existing;
    }
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    return gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName,
                                    b.getArrayAttr({targetFor(features)}));
  }
};

} // namespace
