//===- FlashRNNOps.h - flashrnn attributes and ops ------------------------===//
#ifndef FLASHRNN_DIALECT_FLASHRNNOPS_H
#define FLASHRNN_DIALECT_FLASHRNNOPS_H

#include "dialect/FlashRNNDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_ATTRDEF_CLASSES
#include "dialect/FlashRNNAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialect/FlashRNNOps.h.inc"

#endif // FLASHRNN_DIALECT_FLASHRNNOPS_H
