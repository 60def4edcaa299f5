//===- AsyncCopy.h - st.async into a cluster's shared memory -*- C++ -*-===//
//
// The pieces of the asynchronous exchange of h within a thread-block
// cluster (schedule `asyncExchange`, flashrnn-grid-sync): a CTA writes its
// block of h into the shared memory of the other CTAs with st.async, each
// store completing its bytes on the receiver's mbarrier (transaction
// counting, sm_90, PTX ISA 8.1), and a reader waits on its own mbarrier
// instead of meeting the whole cluster at a barrier. Emitted as inline PTX:
// the NVVM dialect of MLIR 22 has no st.async, and its try_wait has no
// cluster scope, which the acquire of bytes released at cluster scope
// needs.
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_COMMON_ASYNCCOPY_H
#define FLASHRNN_LOWERING_COMMON_ASYNCCOPY_H

#include "mlir/IR/Builders.h"

namespace mlir::flashrnn {

/// mbarrier.init with an arrival count of 1 at `barrier` (!llvm.ptr<3>).
void emitMbarrierInit(OpBuilder &b, Location loc, Value barrier);

/// fence.mbarrier_init.release.cluster: the initialisations above become
/// visible to the other CTAs' st.async (before the cluster barrier that
/// lets them start).
void emitMbarrierInitFence(OpBuilder &b, Location loc);

/// mbarrier.arrive.expect_tx: the one arrival of the barrier's current
/// phase, which then completes when `bytes` (i32) more bytes have landed.
void emitMbarrierArriveExpectTx(OpBuilder &b, Location loc, Value barrier,
                                Value bytes);

/// Waits until the phase of `barrier` with parity `parity` (i32, 0 or 1)
/// has completed, with acquire semantics at cluster scope, so that the
/// bytes other CTAs' st.async delivered are visible to this thread.
void emitMbarrierWaitParity(OpBuilder &b, Location loc, Value barrier,
                            Value parity);

/// st.async of `words` (1, 2 or 4 i32 values) to `remote`
/// (!llvm.ptr<7>, in another CTA of the cluster), completing their bytes on
/// `remoteBarrier` (!llvm.ptr<7>, that CTA's mbarrier).
void emitStoreAsync(OpBuilder &b, Location loc, Value remote,
                    ArrayRef<Value> words, Value remoteBarrier);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_COMMON_ASYNCCOPY_H
