//===- SpecializeSequence.h - a sequence for another dtype / head dim -----===//
//
// A cell is independent of the element type and head size; its sequence op
// fixes them. flashrnn-compile --dtype/--head-dim compiles the same cell for
// other values by building a fresh module: the cell and one function that
// applies it with the requested types (B, T and NH dynamic).
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_PACKAGE_SPECIALIZESEQUENCE_H
#define FLASHRNN_LOWERING_PACKAGE_SPECIALIZESEQUENCE_H

#include "dialect/FlashRNNOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::flashrnn {

/// A module holding a clone of `cell` and a function `@<cell>_sequence`
/// applying it with element type `elementType` and head dim `headDim`.
/// Keeps the optional s0 operand if `sequence` has one.
OwningOpRef<ModuleOp> specializeSequence(SequenceOp sequence, CellOp cell,
                                         Type elementType, int64_t headDim);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_PACKAGE_SPECIALIZESEQUENCE_H
