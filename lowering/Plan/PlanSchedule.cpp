//===- PlanSchedule.cpp - the flashrnn-plan pass --------------------------===//
//
// Chooses a schedule per sequence. The kernel gives every CTA all gates of
// a slice of U hidden units of one head for a tile of batch rows, so the cell
// math needs no exchange; only h crosses CTAs. The smallest number of CTAs
// per head whose slice of R, plus the double-buffered h tile, fits the
// shared memory of one block wins: fewer CTAs means no grid barrier (C = 1)
// or a cheaper one.
//
//===----------------------------------------------------------------------===//
#include "lowering/Passes.h"
#include "lowering/Plan/ChipLimits.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNPLAN
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

/// Bytes of one element of `type` as stored on chip (R keeps its dtype).
int64_t elementBytes(Type type) { return type.getIntOrFloatBitWidth() / 8; }

std::string formatBytes(int64_t bytes) {
  if (bytes >= 1024 * 1024)
    return llvm::formatv("{0:F1} MiB", bytes / (1024.0 * 1024.0)).str();
  return llvm::formatv("{0:F1} KiB", bytes / 1024.0).str();
}

struct FlashRNNPlan : flashrnn::impl::FlashRNNPlanBase<FlashRNNPlan> {
  using FlashRNNPlanBase::FlashRNNPlanBase;

  void runOnOperation() override {
    std::optional<ChipLimits> limits = lookupChipLimits(chip);
    if (!limits) {
      getOperation().emitError() << "flashrnn-plan: unknown chip '" << chip
                                 << "'; known chips: " << knownChips();
      return signalPassFailure();
    }
    if (maxSharedBytes > 0)
      limits->maxSharedBytesPerBlock = maxSharedBytes;
    if (batchTile < 1 || batchTile > limits->maxThreadsPerBlock) {
      getOperation().emitError()
          << "flashrnn-plan: batch-tile must be in [1, "
          << limits->maxThreadsPerBlock << "], got " << int64_t(batchTile);
      return signalPassFailure();
    }
    WalkResult result = getOperation().walk([&](SequenceOp op) {
      return failed(plan(op, *limits)) ? WalkResult::interrupt()
                                       : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult plan(SequenceOp op, const ChipLimits &limits) {
    auto rType = cast<RankedTensorType>(op.getR().getType());
    int64_t gates = rType.getDimSize(0);
    int64_t dh = rType.getDimSize(3);
    int64_t rBytes = elementBytes(rType.getElementType());
    // h of the tile's rows, f32, double-buffered (read one, write the other).
    int64_t hBytes = 2 * batchTile * dh * 4;
    int64_t rHeadBytes = gates * dh * dh * rBytes;

    for (int64_t ctas = 1; ctas <= dh && ctas <= limits.numSMs; ++ctas) {
      if (dh % ctas != 0)
        continue;
      int64_t units = dh / ctas;
      int64_t threads = units * batchTile;
      int64_t shared = hBytes + rHeadBytes / ctas;
      if (threads > limits.maxThreadsPerBlock ||
          shared > limits.maxSharedBytesPerBlock)
        continue;
      Builder b(op.getContext());
      op->setAttr("flashrnn.schedule",
                  ScheduleAttr::get(op.getContext(), b.getStringAttr(chip),
                                    ctas, units, batchTile, threads,
                                    b.getStringAttr("smem"), ctas > 1, shared));
      return success();
    }

    // Nothing fits: say what and by how much.
    int64_t chipShared = limits.numSMs * limits.maxSharedBytesPerBlock;
    if (rHeadBytes + hBytes * limits.numSMs > chipShared)
      return op.emitOpError()
             << "cannot be planned for " << chip << ": R of one head ("
             << gates << " x " << dh << " x " << dh << ", "
             << rType.getElementType() << ") needs "
             << formatBytes(rHeadBytes) << " of shared memory, but "
             << limits.numSMs << " SMs x "
             << formatBytes(limits.maxSharedBytesPerBlock) << " hold "
             << formatBytes(chipShared) << " of which the h tiles take "
             << formatBytes(hBytes * limits.numSMs) << " (over by "
             << formatBytes(rHeadBytes + hBytes * limits.numSMs - chipShared)
             << ")";
    return op.emitOpError()
           << "cannot be planned for " << chip << ": no split of the head "
           << "dimension " << dh << " into at most " << limits.numSMs
           << " CTAs gives a slice of R plus the h tile ("
           << formatBytes(hBytes) << ") within "
           << formatBytes(limits.maxSharedBytesPerBlock)
           << " of shared memory and at most " << limits.maxThreadsPerBlock
           << " threads (" << int64_t(batchTile) << " batch rows per CTA)";
  }
};

} // namespace
