//===- flashrnn-opt.cpp - the FlashRNN-MLIR optimizer driver --------------===//
//
// Parses, verifies, transforms and prints flashrnn IR: every stage of the
// lowering can be run and printed on its own.
//
//===----------------------------------------------------------------------===//
#include "lowering/RegisterFlashRNN.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::flashrnn::registerFlashRNNDialects(registry);
  mlir::flashrnn::registerFlashRNNPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "FlashRNN-MLIR optimizer driver\n", registry));
}
