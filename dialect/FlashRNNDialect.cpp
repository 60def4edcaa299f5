//===- FlashRNNDialect.cpp - the flashrnn dialect -------------------------===//
#include "dialect/FlashRNNDialect.h"
#include "dialect/FlashRNNOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::flashrnn;

#include "dialect/FlashRNNDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/FlashRNNAttrs.cpp.inc"

void FlashRNNDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/FlashRNNAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialect/FlashRNNOps.cpp.inc"
      >();
}

/// The tensor-core kernels carry their recurrent operand (h in the training
/// forward, dg in the backward) in one or two element-type terms, and the
/// backward gives a lane's two batch rows to one warp or two; no kernel is
/// built for any other count.
LogicalResult
ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     StringAttr chip, int64_t ctasPerHead, int64_t unitsPerCta,
                     int64_t batchTile, int64_t threads,
                     StringAttr rPlacement, bool gridBarrier,
                     int64_t sharedBytes, bool cluster, bool stagedStores,
                     int64_t recurrentParts, int64_t rowSplit,
                     bool taggedExchange, bool asyncExchange,
                     int64_t sharedRTiles) {
  if (recurrentParts != 1 && recurrentParts != 2)
    return emitError() << "schedule has recurrentParts = " << recurrentParts
                       << "; the kernels carry h and dg in 1 or 2 parts";
  if (rowSplit != 1 && rowSplit != 2)
    return emitError() << "schedule has rowSplit = " << rowSplit
                       << "; a lane's two batch rows go to 1 or 2 warps";
  // Two warps per group of 16 units exist only in the tensor-core backward
  // of a head in one CTA without K slices: 2 x 2 threads per unit.
  if (rowSplit == 2 && (rPlacement.getValue() != "registers" ||
                        ctasPerHead != 1 || threads != 4 * unitsPerCta))
    return emitError() << "schedule has rowSplit = 2 but is not a one-CTA "
                          "tensor-core backward without K slices (needs "
                          "rPlacement = \"registers\", ctasPerHead = 1 and "
                          "threads = 4 * unitsPerCta = "
                       << 4 * unitsPerCta << ", got " << ctasPerHead
                       << " CTA(s) of " << threads << " threads)";
  // Tagged words replace the per-step grid barrier of the tensor-core
  // kernels' tile layout; they still need the co-resident CTAs it has.
  if (taggedExchange &&
      (!gridBarrier || rPlacement.getValue() != "registers"))
    return emitError() << "schedule has taggedExchange but is not a "
                          "tensor-core schedule over a grid barrier (needs "
                          "rPlacement = \"registers\" and gridBarrier = "
                          "true)";
  // The asynchronous exchange writes into the shared memory of the other
  // CTAs of a cluster: there is no such memory across a grid barrier.
  if (asyncExchange && (!cluster || rPlacement.getValue() != "registers"))
    return emitError() << "schedule has asyncExchange but is not a "
                          "tensor-core schedule in a thread-block cluster "
                          "(needs rPlacement = \"registers\" and cluster = "
                          "true)";
  // Fragments in shared memory exist only in the tensor-core forward.
  if (sharedRTiles < 0 ||
      (sharedRTiles > 0 && rPlacement.getValue() != "registers"))
    return emitError() << "schedule has sharedRTiles = " << sharedRTiles
                       << "; expected 0, or a positive count of k-tiles in "
                          "a tensor-core schedule (rPlacement = "
                          "\"registers\")";
  return success();
}

/// A variant takes over from the sequence's own schedule at some number of
/// (head, batch tile) pairs: one pair is the least any run has, so a
/// threshold of 1 would leave the own schedule nothing.
LogicalResult
BatchVariantAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         int64_t minHeadTiles, ScheduleAttr schedule) {
  if (minHeadTiles < 2)
    return emitError() << "batch variant has minHeadTiles = " << minHeadTiles
                       << "; expected at least 2 (below it the sequence's "
                          "own schedule runs)";
  if (!schedule)
    return emitError() << "batch variant has no schedule";
  return success();
}
