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
  /// Whether the op is smooth and tame on the whole real line: no branch
  /// point (max, min, select, abs), no exponential growth (exp) and no pole
  /// or edge of its domain (div, log, sqrt). A body of smooth ops only
  /// moves by a bounded multiple of a rounding of its inputs, so the
  /// tensor-core training kernels may carry its recurrent operand in one
  /// 8-bit part instead of two (isSmoothCellBody).
  bool smooth;
};

/// Every supported op, in a stable order.
llvm::ArrayRef<CellBodyOpInfo> getCellBodyOps();

/// The entry for `opName`, or null if the op has no derivative rule.
const CellBodyOpInfo *lookupCellBodyOp(llvm::StringRef opName);

/// Whether every op of the cell body `cell` (a flashrnn.cell op; its
/// terminator aside) is smooth (CellBodyOpInfo::smooth). Measured (docs/GPU.md):
/// with an 8-bit h in the training forward, the T = 1024 gradients of
/// sLSTM (exp, max, div) and Li-GRU (max) were off by 1.8-2.5e-2, LSTM's
/// and GRU's were not.
bool isSmoothCellBody(Operation *cell);

} // namespace flashrnn
} // namespace mlir

#endif // FLASHRNN_DIALECT_CELLBODYOPS_H
