//===- TileRing.h - a step's tile of a [B, T, G, NH, DH] tensor in a ring --===//
//
// The tensor-core forward reads, every step, a tile of Wx, a per-step tensor
// of layout [B, T, G, NH, DH]. Loaded into registers a step or more ahead,
// its values waited for their loads anyway: ptxas moved the copies between
// the loop-carried registers to where the registers were free (H200, LSTM
// 64x12: 29.5% of the forward's stall samples on one such move, seventh
// session). A TileRing instead keeps kWxRingSlots steps of
// the CTA's tile ([batch row][gate][unit], rows of tileRingRowElements) in
// shared memory: every step the CTA's threads copy the tile of a later step
// with cp.async, in 16-byte pieces of consecutive units of one gate and row
// (every thread the same pieces each step), one commit group per step, and
// each thread reads its own elements' values out of the ring after the
// barrier that follows the wait for their group. Any element size: the
// backward's saved gate values (f32) through a TileRing checked but were
// slower than their register prefetch (docs/PERFORMANCE.md, ninth session).
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_FUSETIMELOOP_TILERING_H
#define FLASHRNN_LOWERING_FUSETIMELOOP_TILERING_H

#include "lowering/FuseTimeLoop/KernelBuilder.h"
#include "lowering/FuseTimeLoop/MmaEmitter.h"

namespace mlir::flashrnn {

class TileRing {
public:
  /// The groups a thread leaves in flight at a step's barrier: the two
  /// newest steps (the kernel chooses the copies' depth to match).
  static constexpr int64_t kInFlight = 2;

  /// The ring of `source`'s tile (batch rows of the CTA's tile, all `gates`
  /// gates, the `units` units from `firstUnit` of head `head`) in shared
  /// memory from `byteOffset`, copied by `threads` threads.
  TileRing(KernelEmitter &em, Value source, const MmaLanePosition &pos,
           Value head, Value firstUnit, int64_t units, int64_t gates,
           int64_t threads, int64_t byteOffset);

  /// Copies step `t` into `slot` (index values) and commits the copies as
  /// one group.
  void copy(Value t, Value slot);

  /// Waits until at most `pending` of this thread's groups are in flight.
  void wait(int64_t pending);

  /// The value at (tile row `row`, gate `gate`, unit `unitInCta`) of
  /// `slot`, as f32.
  Value read(Value slot, Value row, int64_t gate, Value unitInCta);

private:
  struct Piece {
    Value src;       // !llvm.ptr<1>: the piece at step 0
    Value dstOffset; // index: its byte offset in a slot
    Value active;    // i1, or null where every thread copies
  };
  KernelEmitter &em;
  int64_t units, slotBytes;
  Value view, base, stepBytes;
  SmallVector<Piece> pieces;
};

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_FUSETIMELOOP_TILERING_H
