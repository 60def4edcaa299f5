//===- KernelABI.h - the fused kernels' arguments and thread indexing -----===//
//
// What the passes that build and rewrite the fused kernels share: kernel
// arguments are found by name (the `flashrnn.arg` attribute, which the
// package emitter also writes into the launch description), and how a
// thread finds its head, unit and batch row.
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_COMMON_KERNELABI_H
#define FLASHRNN_LOWERING_COMMON_KERNELABI_H

#include "dialect/FlashRNNOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::flashrnn {

/// The attribute naming a kernel argument.
constexpr llvm::StringLiteral kKernelArgAttrName = "flashrnn.arg";
/// The schedule of a kernel (on the gpu.func) or of a sequence's forward
/// (on the sequence op).
constexpr llvm::StringLiteral kScheduleAttrName = "flashrnn.schedule";
/// The schedule of a sequence's backward kernel (on the sequence op).
constexpr llvm::StringLiteral kBackwardScheduleAttrName =
    "flashrnn.backward_schedule";
/// A sequence's forward schedules for large batches (on the sequence op):
/// an array of #flashrnn.batch_variant, by increasing minHeadTiles.
constexpr llvm::StringLiteral kBatchVariantsAttrName =
    "flashrnn.batch_variants";
/// Which index of R is the CTA's unit in a kernel's loads of R: 2 in the
/// forward (R[k, n, unit, i]), 3 in the backward (R[k, n, j, unit]).
constexpr llvm::StringLiteral kRUnitDimAttrName = "flashrnn.r_unit_dim";
/// The launch descriptions of a sequence's kernels (on the sequence op).
constexpr llvm::StringLiteral kKernelsAttrName = "flashrnn.kernels";
/// Marks the persistent time loop of a kernel.
constexpr llvm::StringLiteral kTimeLoopAttrName = "flashrnn.time_loop";

/// The tensor-core forward's (MmaForwardKernel.cpp) per-thread register
/// estimate, in 32-bit registers: R's fragments (ceil(G/2) m-tiles x
/// `kTiles` k-tiles x 4, where a warp covers kTiles = DH / 16 / kSlices of
/// the K dimension), the accumulators of two K chains and the h fragments (both
/// per h part: 2 in training, hi and lo), and per element (2) its states,
/// gate values and one step of Wx values (the inference forward carries
/// them, read a step early out of the Wx ring), plus 40 for addresses and
/// the cell math. test/Target/ptxas-mma-sweep.test checks that no admitted
/// example spills.
int64_t estimateMmaForwardRegisters(int64_t gates, int64_t kTiles,
                                    int64_t numStates, int64_t wxGates,
                                    int64_t parts);

/// Bytes of shared memory the tensor-core forward's partial sums take with
/// `slices` K slices (none with one): [slice][group of 8 units][ceil(G/2)
/// m-tiles x 4 accumulators][32 lanes] f32.
int64_t mmaForwardPartialsBytes(int64_t slices, int64_t units, int64_t gates);

/// The tensor-core backward's (MmaBackwardKernel.cpp) per-thread register
/// estimate for `chip`, in 32-bit registers, with or without the next
/// step's saved values prefetched (mmaBackwardOwnedElements x (2 S + NA)
/// more registers). Fitted to ptxas -v over the examples at DH 48-768 for
/// sm_80 and sm_90; test/Target/ptxas-mma-sweep.test checks that no
/// admitted example spills. With `kSlices` > 1 (the backward spread over
/// CTAs and warps that share the K dimension) a warp holds 1/kSlices of the
/// fragments. With `rowSplit` = 2 (the schedule's) a thread adjoins two
/// elements instead of four. With `ownedOnly` (K slices only) the thread
/// carries the state gradients of its owned elements alone, not of all four
/// (mmaBackwardCarriesOwnedOnly).
int64_t estimateMmaBackwardRegisters(llvm::StringRef chip, int64_t gates,
                                     int64_t dh, int64_t numStates,
                                     int64_t numGateValues, bool prefetch,
                                     int64_t kSlices = 1, int64_t rowSplit = 1,
                                     bool ownedOnly = false);
/// The (unit, batch row) elements whose adjoint one thread of the
/// tensor-core backward runs: all four of its accumulator's (two with
/// rowSplit = 2), or with K slices those of its slice (element c belongs to
/// slice c mod S).
int64_t mmaBackwardOwnedElements(int64_t kSlices, int64_t rowSplit = 1);
/// The registers a thread of a CTA of `threads` threads may use as ptxas
/// allocates them: 255, or fewer where the register file must hold the
/// whole CTA. The file is four 16K banks, one per scheduler partition, warp
/// w on partition w mod 4, so the partition with ceil(warps / 4) warps
/// bounds it, in steps of 8: 288 threads get 168, not 65536 / 288 = 227
/// (ptxas spilled Li-GRU 768's tagged forward at 168). Before the
/// thirteenth session this was 65536 / threads; no plan of the example
/// cells (DH 32-1024, sm_80 and sm_90, bf16 and f32) changed.
int64_t registerBudget(int64_t threads);
/// The registers the tagged exchange's poll adds to the tensor-core forward
/// (flashrnn-grid-sync): per 16-byte run a thread polls, its four words and
/// its 64-bit address, live across the poll.
int64_t taggedPollRegisters(int64_t runsPerThread);
/// Whether the tensor-core backward prefetches the next step's saved values
/// at the top of the step: where the estimate with the prefetch fits the
/// budget of the CTA's `threads` threads.
bool mmaBackwardPrefetches(llvm::StringRef chip, int64_t gates, int64_t dh,
                           int64_t numStates, int64_t numGateValues,
                           int64_t kSlices, int64_t threads,
                           int64_t rowSplit = 1, bool ownedOnly = false);
/// Whether a K-sliced tensor-core backward carries only the state gradients
/// of the elements its slice adjoins: where the estimate with all four
/// carried (each warp passing the others' through its step) does not fit
/// the budget of `threads` threads. Carrying all four is kept where it fits
/// because ptxas allocated the owned-only form into more registers in some
/// of those kernels (LSTM 768 on sm_90: 255 and 8 bytes spilled, against
/// 255 and none).
bool mmaBackwardCarriesOwnedOnly(llvm::StringRef chip, int64_t gates,
                                 int64_t dh, int64_t numStates,
                                 int64_t numGateValues, int64_t kSlices,
                                 int64_t threads);

/// Bytes of shared memory that a double-buffered stage of per-step output
/// rows takes (lowering/FuseTimeLoop/StagedStores.h): per stream of element
/// type `types[k]`, 2 slots x `rows` rows of `units` elements padded by 16
/// bytes.
int64_t stagedStoreBytes(llvm::ArrayRef<Type> types, int64_t rows,
                         int64_t units);

/// The fewest output rows per element and step (streams) for which the
/// tensor-core forward stages its stores. Measured on the H100 (64x12,
/// B = 16, T = 1024): the training forward (6-12 streams) gains
/// 0.05-0.30 ms, the sLSTM forward (4 states) 0.826 -> 0.720 ms; with 2
/// (LSTM) it is even (0.673 / 0.670), with 1 (GRU, Elman) and at DH 256
/// and 768 (rows of 32 to 16 units) it loses 0.5-3.5%.
constexpr int64_t kMinStagedStreams = 3;
/// The fewest units per CTA for which the tensor-core kernels stage their
/// stores: with 16 (DH 768 over 48 CTAs) a staged row is two or four runs
/// and the copy costs more than it saves (H100, B = 16: GRU 768 training
/// forward 2.78 -> 2.95 ms, backward 6.29 -> 6.48; LSTM 768 inference
/// forward 2.51 -> 2.60); from 32 on it pays (GRU 256 backward 3.68 ->
/// 3.60, LSTM 64 1.38 -> 1.27).
constexpr int64_t kMinStagedUnits = 32;

/// Registers per thread of the tensor-core forward with R fragments in
/// shared memory (schedule sharedRTiles > 0), which streams h two k-tiles at
/// a time with one K chain per m-tile: `registerKTiles` k-tiles of R in
/// registers. Fitted to ptxas -v (sm_90, 768 heads over 16 CTAs, 384
/// threads, 168 registers) over the example cells: the fewest shared
/// k-tiles without a spill in either forward were LSTM 13, GRU 14, CIFG-LSTM
/// 15; a cell with an odd number of recurrent gates (a zero-padded m-tile)
/// took about 18 registers more than an even one, and two terms of h in
/// training (Li-GRU) 8 more than the fragments count.
int64_t estimateStreamedForwardRegisters(int64_t gates, int64_t registerKTiles,
                                         int64_t numStates, int64_t wxGates,
                                         int64_t parts);

/// The largest thread-block cluster every sm_90 launch may have; a kernel
/// of more CTAs per cluster (up to 16 on H100/H200) is "non-portable": the
/// runtime opts it in, and its forward streams the matmul
/// (MmaForwardKernel.cpp).
constexpr int64_t kPortableClusterCtas = 8;

/// Static shared memory of a cluster's asynchronous exchange of h: one
/// 8-byte mbarrier per slot of the double-buffered tile (flashrnn-grid-sync).
constexpr int64_t kAsyncExchangeBarrierBytes = 16;

/// The registers a thread spends on the staged stores of `streams` output
/// streams (the copy's addresses, loop-invariant per stream): fitted so
/// that test/Target/ptxas-mma-sweep.test finds no spills (sm_80's ptxas
/// needs more than twice sm_90's). The planner
/// stages only where the forward's estimate plus this fits the budget.
int64_t stagedStoreRegisters(llvm::StringRef chip, int64_t streams);

/// The tensor-core forward's Wx ring (MmaForwardKernel.cpp): the CTA's Wx
/// tile of kWxRingSlots steps in shared memory, copied with cp.async 3 or
/// 4 steps ahead of their use (see the kernel).
constexpr int64_t kWxRingSlots = 4;
/// Elements of one batch row of a ring slot (TileRing.h: [gate][unit],
/// `gates` x `units` of `elementBytes` each), padded so that the row stride
/// is an odd multiple of 16 bytes: the 4 rows x 8 units a warp reads per
/// gate then hit 32 different banks.
int64_t tileRingRowElements(int64_t gates, int64_t units,
                            int64_t elementBytes);
/// Bytes of shared memory a ring (the forward's Wx, the backward's saved
/// gate values) of a CTA of `units` units and `rows` batch rows takes.
int64_t tileRingBytes(int64_t gates, int64_t units, int64_t rows,
                      int64_t elementBytes);

/// The argument of `func` named `name`, or null.
BlockArgument lookupKernelArg(gpu::GPUFuncOp func, llvm::StringRef name);

/// The batch size B, read off the kernel's arguments ("wx" dim 0 or
/// "dstates" dim 1).
Value buildBatchSize(OpBuilder &b, Location loc, gpu::GPUFuncOp func);

/// Where a thread is: one thread per (batch row, unit) of its CTA.
struct ThreadPosition {
  Value cta;       ///< CTA within the head (grid x), 0 .. C-1
  Value head;      ///< head n (grid y)
  Value tile;      ///< batch tile within this launch (grid z)
  Value unitInCta; ///< 0 .. U-1
  Value row;       ///< batch row within the tile, 0 .. BT-1
  Value unit;      ///< unit within the head, j = cta * U + unitInCta
  Value batch;     ///< global batch row b = batch_begin + tile * BT + row
  Value valid;     ///< b < B (rows past the batch compute but never store)
  Value safeBatch; ///< b where valid, else 0: always a legal index
};

/// Emits the index arithmetic of ThreadPosition at the builder's position.
ThreadPosition buildThreadPosition(OpBuilder &b, Location loc,
                                   gpu::GPUFuncOp func, ScheduleAttr schedule);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_COMMON_KERNELABI_H
