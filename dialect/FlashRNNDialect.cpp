//===- FlashRNNDialect.cpp - the flashrnn dialect -------------------------===//
#include "dialect/FlashRNNDialect.h"
#include "dialect/FlashRNNOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::flashrnn;

#include "dialect/FlashRNNDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/FlashRNNAttrs.cpp.inc"

void FlashRNNDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/FlashRNNAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialect/FlashRNNOps.cpp.inc"
      >();
}
