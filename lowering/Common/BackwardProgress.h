//===- BackwardProgress.h - the backward's progress, for the reduction -*- C++ -*-===//
//
// The tensor-core reduction (dR and db) can run beside the backward, on the
// SMs the backward leaves idle, instead of after it: the backward walks time
// from T - 1 down to 0, and a slice of the reduction's terms (a range of
// steps, every batch row) is ready once every CTA of its head has stored the
// gate gradients of those steps. The protocol, over the kernels' `progress`
// argument (i32, 1 + heads x batch tiles x CTAs per head words, zero before
// the backward):
//   progress[0]                 CTAs of the backward that have started; the
//                               runtime launches the reduction only once
//                               every CTA has (cuStreamWaitValue32), so that
//                               a waiting reduction can never keep a
//                               backward CTA from becoming resident;
//   progress[1 + (head x tiles + tile) x ctas + cta]
//                               steps the CTA has finished (T - 1 down to
//                               T - done), published with release semantics
//                               every kProgressPeriod steps and at the end.
// Where the runtime does not overlap the two kernels the reduction starts
// after the backward and every wait passes at once.
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_COMMON_BACKWARDPROGRESS_H
#define FLASHRNN_LOWERING_COMMON_BACKWARDPROGRESS_H

#include "dialect/FlashRNNOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::flashrnn {

/// Steps between two publications of the backward: each costs one GPU-scope
/// fence in one warp, so rarely enough not to show, often enough that the
/// reduction's last slice (the one left when the backward ends) is small.
constexpr int64_t kProgressPeriod = 32;

/// The progress word of the backward CTA `cta` (grid x) of head `head` and
/// batch tile `tileInLaunch` (grid z) of a backward `func` with `schedule`
/// (its batch tile and CTAs per head); index type.
Value backwardProgressSlot(OpBuilder &b, Location loc, gpu::GPUFuncOp func,
                           ScheduleAttr schedule, Value head,
                           Value tileInLaunch, Value cta);

/// Thread 0 counts the CTA as started (progress[0] += 1).
void emitProgressStarted(OpBuilder &b, Location loc, Value progress,
                         Value tid);

/// Thread 0 publishes `stepsDone` (index) where `enabled` (i1) holds: a
/// GPU-scope fence, then an atomic store into the word backwardProgressSlot
/// gives for (`head`, `tileInLaunch`, `cta`), computed inside the branch so
/// that a time loop carries nothing for it. Call it after a CTA barrier that
/// follows the stores it covers.
void emitProgressPublish(OpBuilder &b, Location loc, gpu::GPUFuncOp func,
                         ScheduleAttr schedule, Value head, Value tileInLaunch,
                         Value cta, Value tid, Value stepsDone, Value enabled);

/// Waits until every CTA of head `head` (all `tiles` batch tiles, `ctas`
/// CTAs each) has published at least `needed` (i32) steps. Thread 0 reads
/// the words, sleeping about a microsecond between reads, and a wait of
/// more than a few seconds (the backward cannot take that long per slice)
/// traps instead of hanging. Ends with a GPU-scope fence and a CTA
/// barrier, so that the CTA's later loads see the published stores.
void emitProgressWait(OpBuilder &b, Location loc, Value progress, Value head,
                      Value tiles, int64_t ctas, Value tid, Value needed);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_COMMON_BACKWARDPROGRESS_H
