//===- GridBarrier.h - one grid barrier over the CTAs of a head -*- C++ -*-===//
//
// Shared by flashrnn-grid-sync (the exchange across CTAs) and the
// tensor-core backward spread over CTAs, which publishes its gate
// gradients itself (MmaBackwardKernel.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_COMMON_GRIDBARRIER_H
#define FLASHRNN_LOWERING_COMMON_GRIDBARRIER_H

#include "dialect/FlashRNNOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::flashrnn {

/// Emits the grid barrier of exchange `epochIndex` (index) over the
/// ctasPerHead CTAs of the same head and batch tile, between two block
/// barriers, using the kernel's `sync` counters (one per group), its
/// `batch_begin` and its batch size. `head` and `tile` are the CTA's grid y
/// and z.
void emitGroupBarrier(OpBuilder &b, Location loc, gpu::GPUFuncOp func,
                      ScheduleAttr schedule, Value head, Value tile,
                      Value epochIndex);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_COMMON_GRIDBARRIER_H
