//===- CellBodyOps.h - the ops a cell body may use ------------------------===//
//
// One table of the element-wise ops allowed in a cell body, each with a
// derivative rule. The verifier, the package emitter (which serialises the
// body for the runtime) and the automatic differentiation all read it, so an
// op is either supported everywhere or nowhere.
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_DIALECT_CELLBODYOPS_H
#define FLASHRNN_DIALECT_CELLBODYOPS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
class Operation;
namespace flashrnn {

/// An op that may appear in a cell body.
struct CellBodyOpInfo {
  /// Full op name, e.g. "arith.addf"; also its name in the package manifest.
  llvm::StringRef name;
  /// Number of operands.
  unsigned numOperands;
  /// Whether the op is differentiable (false for constants and comparisons,
  /// whose results carry no gradient).
  bool differentiable;
};

/// Every supported op, in a stable order.
llvm::ArrayRef<CellBodyOpInfo> getCellBodyOps();

/// The entry for `opName`, or null if the op has no derivative rule.
const CellBodyOpInfo *lookupCellBodyOp(llvm::StringRef opName);

} // namespace flashrnn
} // namespace mlir

#endif // FLASHRNN_DIALECT_CELLBODYOPS_H
