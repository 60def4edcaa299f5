//===- FlashRNNDialect.td - the flashrnn dialect -----------*- tablegen -*-===//
//
// The cell level of FlashRNN-MLIR: a recurrent cell written once as
// element-wise math, and the sequence op that applies it over time.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_DIALECT_TD
#define FLASHRNN_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def FlashRNN_Dialect : Dialect {
  let name = "flashrnn";
  let summary = "Recurrent neural network cells and their fused lowering";
  let description = [{
    A cell (`flashrnn.cell`) names its gates, states and constants and gives
    the element-wise math that turns the previous states and the gate
    pre-activations into the new states. `flashrnn.sequence` applies a cell
    to tensors in the public layouts (Wx, R, b, s0 -> states, last).
  }];
  let cppNamespace = "::mlir::flashrnn";
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

class FlashRNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<FlashRNN_Dialect, mnemonic, traits>;

class FlashRNN_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<FlashRNN_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // FLASHRNN_DIALECT_TD
