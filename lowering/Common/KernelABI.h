//===- KernelABI.h - the fused kernel's arguments and thread indexing -----===//
//
// What the passes that build and rewrite the fused kernel share: the names
// and order of its arguments (docs/PACKAGE.md, "Kernels"), and how a thread
// finds its head, unit and batch row.
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_COMMON_KERNELABI_H
#define FLASHRNN_LOWERING_COMMON_KERNELABI_H

#include "dialect/FlashRNNOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::flashrnn {

/// The kernel arguments, in order. Each carries a `flashrnn.arg` attribute
/// with its name, which the package emitter writes into the manifest.
enum class KernelArg : unsigned {
  Wx,
  R,
  B,
  S0,
  States,
  Last,
  HExchange,
  Sync,
  BatchBegin,
};
constexpr unsigned kNumKernelArgs = 9;

/// The manifest name of `arg`.
llvm::StringRef getKernelArgName(KernelArg arg);

/// The rank of memref argument `arg`, or 0 for the i32 scalar.
unsigned getKernelArgRank(KernelArg arg);

/// The attribute naming a kernel argument, and the one holding the schedule.
constexpr llvm::StringLiteral kKernelArgAttrName = "flashrnn.arg";
constexpr llvm::StringLiteral kScheduleAttrName = "flashrnn.schedule";

/// The kernel argument `arg` of `func`.
inline BlockArgument getKernelArg(gpu::GPUFuncOp func, KernelArg arg) {
  return func.getArgument(static_cast<unsigned>(arg));
}

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
