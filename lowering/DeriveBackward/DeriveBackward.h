//===- DeriveBackward.h - automatic differentiation of a cell body --------===//
#ifndef FLASHRNN_LOWERING_DERIVEBACKWARD_DERIVEBACKWARD_H
#define FLASHRNN_LOWERING_DERIVEBACKWARD_DERIVEBACKWARD_H

#include "dialect/FlashRNNOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::flashrnn {

/// The attribute that ties an adjoint function to its cell.
constexpr llvm::StringLiteral kAdjointOfAttrName = "flashrnn.adjoint_of";

/// Builds, next to `cell`, the function `@<cell>_adjoint`:
///   (states s_{t-1}..., gate values..., constants..., ds_t...)
///       -> (ds_{t-1} through the body..., d gate values...)
/// by reverse-mode differentiation of the body with each op's derivative
/// rule (docs/DIALECT.md). It recomputes the body's intermediates from the
/// saved states and gate values. Returns the existing one if present.
FailureOr<func::FuncOp> deriveAdjoint(CellOp cell);

/// The adjoint function of `cell` built by deriveAdjoint, or null.
func::FuncOp lookupAdjoint(CellOp cell);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_DERIVEBACKWARD_DERIVEBACKWARD_H
