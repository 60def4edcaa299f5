//===- CellBodyOps.cpp - the ops a cell body may use ----------------------===//
#include "dialect/CellBodyOps.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir::flashrnn;

static const CellBodyOpInfo kCellBodyOps[] = {
    // Constants and comparisons: no gradient flows through them.
    {"arith.constant", 0, false},
    {"arith.cmpf", 2, false},
    // Arithmetic.
    {"arith.addf", 2, true},
    {"arith.subf", 2, true},
    {"arith.mulf", 2, true},
    {"arith.divf", 2, true},
    {"arith.negf", 1, true},
    {"arith.maximumf", 2, true},
    {"arith.minimumf", 2, true},
    {"arith.select", 3, true},
    // Transcendentals.
    {"math.exp", 1, true},
    {"math.log", 1, true},
    {"math.log1p", 1, true},
    {"math.tanh", 1, true},
    {"math.sqrt", 1, true},
    {"math.absf", 1, true},
    // The dialect's own.
    {"flashrnn.sigmoid", 1, true},
    {"flashrnn.logsigmoid", 1, true},
    {"flashrnn.softplus", 1, true},
    {"flashrnn.stop_gradient", 1, true},
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
