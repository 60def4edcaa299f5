//===- CellBodyOps.cpp - the ops a cell body may use ----------------------===//
#include "dialect/CellBodyOps.h"

#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Operation.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir::flashrnn;

static const CellBodyOpInfo kCellBodyOps[] = {
    // Constants and comparisons: no gradient flows through them. A
    // comparison is a branch point: not smooth.
    {"arith.constant", 0, false, true},
    {"arith.cmpf", 2, false, false},
    // Arithmetic.
    {"arith.addf", 2, true, true},
    {"arith.subf", 2, true, true},
    {"arith.mulf", 2, true, true},
    {"arith.divf", 2, true, false},
    {"arith.negf", 1, true, true},
    {"arith.maximumf", 2, true, false},
    {"arith.minimumf", 2, true, false},
    {"arith.select", 3, true, false},
    // Transcendentals.
    {"math.exp", 1, true, false},
    {"math.log", 1, true, false},
    {"math.log1p", 1, true, false},
    {"math.tanh", 1, true, true},
    {"math.sqrt", 1, true, false},
    {"math.absf", 1, true, false},
    // The dialect's own: smooth with slopes of at most 1.
    {"flashrnn.sigmoid", 1, true, true},
    {"flashrnn.logsigmoid", 1, true, true},
    {"flashrnn.softplus", 1, true, true},
    {"flashrnn.stop_gradient", 1, true, true},
};

llvm::ArrayRef<CellBodyOpInfo> mlir::flashrnn::getCellBodyOps() {
  return kCellBodyOps;
}

const CellBodyOpInfo *mlir::flashrnn::lookupCellBodyOp(llvm::StringRef opName) {
  for (const CellBodyOpInfo &info : kCellBodyOps)
    if (info.name == opName)
      return &info;
  return nullptr;
}

bool mlir::flashrnn::isSmoothCellBody(Operation *cell) {
  bool smooth = true;
  cell->walk([&](Operation *op) {
    if (op == cell || op->hasTrait<OpTrait::IsTerminator>())
      return WalkResult::advance();
    const CellBodyOpInfo *info =
        lookupCellBodyOp(op->getName().getStringRef());
    if (!info || !info->smooth) {
      smooth = false;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return smooth;
}
