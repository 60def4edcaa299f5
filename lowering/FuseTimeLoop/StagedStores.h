//===- StagedStores.h - per-step output rows staged in shared memory -*- C++ -*-===//
//
// The tensor-core kernels give each thread a few (unit, batch row) elements
// that lie in different rows of the outputs. Stored directly, every value is
// one scattered 2- or 4-byte global store per thread and step; a whole row
// of the CTA's units is contiguous in global memory. Staged, each thread
// writes its values into a shared-memory copy of the step's rows, and the
// CTA copies the rows out a step later (after the step's barrier) as 16-byte
// runs: a few vector loads and stores per thread instead of one store per
// value. The stage is double-buffered by step parity, so the copy of step
// t - 1 and the writes of step t never meet.
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_FUSETIMELOOP_STAGEDSTORES_H
#define FLASHRNN_LOWERING_FUSETIMELOOP_STAGEDSTORES_H

#include "lowering/FuseTimeLoop/KernelBuilder.h"

#include <functional>

namespace mlir::flashrnn {

/// One staged output: at step t, batch row b, the CTA's units go to
/// `memref` at `indices(b, t, unit)` (unit: the run's first unit; the last
/// index must be the unit, contiguous in memory).
struct StagedStream {
  Value memref;
  std::function<SmallVector<Value>(Value batch, Value t, Value unit)> indices;
};

/// The shared-memory stage of `streams` output rows: [stream][slot 2][row]
/// [units + pad], each stream in its memref's element type, rows padded by
/// 16 bytes (so that the rows a warp writes start in different banks). Its
/// size in shared memory is stagedStoreBytes (KernelABI.h), which the
/// planner reserves at the end of the kernel's dynamic shared memory.
class StagedRowStores {
public:
  /// The stage at `byteOffset` of the dynamic shared memory, for a CTA of
  /// `threads` threads that owns `units` units from `firstUnit` on and the
  /// batch rows `tileStart` .. tileStart + rows - 1 of `batchSize`.
  StagedRowStores(KernelEmitter &em, ArrayRef<StagedStream> streams,
                  int64_t rows, int64_t units, int64_t byteOffset,
                  int64_t threads, Value tid, Value firstUnit,
                  Value tileStart, Value batchSize);

  /// Writes `values` (f32, narrowed to the stream's type) of step slot
  /// `slot` at (row, unit within the CTA) and on: one value, or two at
  /// units `unit` and `unit` + 1 as one 2-element store (`unit` must then be
  /// even; a row starts 16-byte aligned).
  void stage(int64_t stream, Value slot, Value row, Value unit,
             ValueRange values);

  /// Copies every stream's rows of `slot` to global memory as the rows of
  /// step `t`, where `enabled` (i1) holds. The whole CTA takes part (each
  /// thread a share of the 16-byte runs, the streams' shares rotated so
  /// that no thread gets more than one run more than another); call it
  /// after a barrier that follows the writes.
  void flush(Value slot, Value t, Value enabled);

private:
  KernelEmitter &em;
  SmallVector<StagedStream> streams;
  SmallVector<Value> buffers;
  int64_t rows, units, threads;
  Value tid, firstUnit, tileStart, batchSize;
};

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_FUSETIMELOOP_STAGEDSTORES_H
