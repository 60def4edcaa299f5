//===- FlashRNNDialect.h - the flashrnn dialect ---------------------------===//
#ifndef FLASHRNN_DIALECT_FLASHRNNDIALECT_H
#define FLASHRNN_DIALECT_FLASHRNNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Dialect.h"

#include "dialect/FlashRNNDialect.h.inc"

#endif // FLASHRNN_DIALECT_FLASHRNNDIALECT_H
