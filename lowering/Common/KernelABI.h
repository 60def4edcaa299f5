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
/// Which index of R is the CTA's unit in a kernel's loads of R: 2 in the
/// forward (R[k, n, unit, i]), 3 in the backward (R[k, n, j, unit]).
constexpr llvm::StringLiteral kRUnitDimAttrName = "flashrnn.r_unit_dim";
/// The launch descriptions of a sequence's kernels (on the sequence op).
constexpr llvm::StringLiteral kKernelsAttrName = "flashrnn.kernels";
/// Marks the persistent time loop of a kernel.
constexpr llvm::StringLiteral kTimeLoopAttrName = "flashrnn.time_loop";

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
