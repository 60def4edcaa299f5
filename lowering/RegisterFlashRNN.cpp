//===- RegisterFlashRNN.cpp - one registration entry point ----------------===//
#include "lowering/RegisterFlashRNN.h"
#include "dialect/FlashRNNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void mlir::flashrnn::registerFlashRNNDialects(DialectRegistry &registry) {
  registry.insert<FlashRNNDialect, arith::ArithDialect, math::MathDialect,
                  func::FuncDialect, tensor::TensorDialect>();
}

void mlir::flashrnn::registerFlashRNNPasses() {
  // Upstream clean-ups the pipeline runs on cell bodies.
  registerCanonicalizerPass();
  registerCSEPass();
}
