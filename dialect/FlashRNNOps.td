//===- FlashRNNOps.td - cell-level ops ---------------------*- tablegen -*-===//

#ifndef FLASHRNN_OPS_TD
#define FLASHRNN_OPS_TD

include "dialect/FlashRNNDialect.td"
include "dialect/FlashRNNAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// flashrnn.cell
//===----------------------------------------------------------------------===//

def FlashRNN_CellOp : FlashRNN_Op<"cell", [
    Symbol, IsolatedFromAbove,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>]> {
  let summary = "a recurrent cell: gates, states, constants and element-wise math";
  let description = [{
    Per head n, step t and gate k, the sequence computes the gate
    pre-activation `g_t[k] = R[k] . h_{t-1} + Wx_t[k] + b[k]`; the body maps
    the previous states and the gate values to the new states, element by
    element (one (batch, unit) pair at a time), in f32.

    The body's arguments are, in order: every previous state, every gate value
    (two for a `split` gate: its input part, then its recurrent part), every
    constant. It yields the new states in state order. Every op in the body
    must be element-wise and have a derivative rule (see docs/DIALECT.md).

    Example (Elman):

    ```mlir
    flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent)
        body(%h: f32, %g: f32) {
      %0 = math.tanh %g : f32
      flashrnn.yield %0 : f32
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       FlashRNN_GateArrayAttr:$gates,
                       FlashRNN_StateArrayAttr:$states,
                       FlashRNN_ConstantArrayAttr:$constants);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// Number of body arguments the declarations call for.
    unsigned getNumBodyArguments();
    /// Rows of Wx, R and b, and number of states (the tensors' gate dims).
    unsigned getNumWxGates();
    unsigned getNumRGates();
    unsigned getNumBiasGates();
    unsigned getNumStates() { return getStates().size(); }
    /// Index of the state that feeds the recurrence (h).
    unsigned getRecurrentStateIndex();
  }];
}

def FlashRNN_YieldOp : FlashRNN_Op<"yield", [
    Pure, Terminator, HasParent<"CellOp">]> {
  let summary = "yields the new states of a cell";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

//===----------------------------------------------------------------------===//
// Element-wise ops of the dialect (used in cell bodies).
//===----------------------------------------------------------------------===//

class FlashRNN_UnaryOp<string mnemonic, list<Trait> traits = []>
    : FlashRNN_Op<mnemonic, traits # [Pure, SameOperandsAndResultType]> {
  let arguments = (ins F32:$operand);
  let results = (outs F32:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
}

def FlashRNN_SigmoidOp : FlashRNN_UnaryOp<"sigmoid"> {
  let summary = "logistic sigmoid 1 / (1 + exp(-x))";
}
def FlashRNN_LogSigmoidOp : FlashRNN_UnaryOp<"logsigmoid"> {
  let summary = "log(sigmoid(x)) = -softplus(-x), stable for large |x|";
}
def FlashRNN_SoftplusOp : FlashRNN_UnaryOp<"softplus"> {
  let summary = "log(1 + exp(x)), stable for large |x|";
}
def FlashRNN_StopGradientOp : FlashRNN_UnaryOp<"stop_gradient"> {
  let summary = "identity forward, zero derivative";
  let description = [{
    Returns its operand. Automatic differentiation treats the result as a
    constant: no gradient flows back through it.
  }];
}

//===----------------------------------------------------------------------===//
// flashrnn.sequence
//===----------------------------------------------------------------------===//

// Element types are checked by the verifier, which names the tensor at fault.
def FlashRNN_FloatTensor : RankedTensorOf<[AnyType]>;

def FlashRNN_SequenceOp : FlashRNN_Op<"sequence", [
    Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "applies a cell over a sequence in the public layouts";
  let description = [{
    `Wx [B, T, Gw, NH, DH]`, `R [Gr, NH, DH, DH]`, `b [Gb, NH, DH]` and the
    optional initial states `s0 [S, B, NH, DH]` (the cell's initial values
    when absent) give every state at every step, `states [S, B, T, NH, DH]`,
    and the final states, `last [S, B, NH, DH]`. B, T and NH may be dynamic;
    DH and the gate dimensions are static. Element type bf16, f16 or f32.

    ```mlir
    %states, %last = flashrnn.sequence @lstm(%wx, %r, %b)
        : (tensor<16x1024x4x12x64xbf16>, tensor<4x12x64x64xbf16>,
           tensor<4x12x64xbf16>)
        -> (tensor<2x16x1024x12x64xbf16>, tensor<2x16x12x64xbf16>)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$cell,
                       FlashRNN_FloatTensor:$wx,
                       FlashRNN_FloatTensor:$r,
                       FlashRNN_FloatTensor:$b,
                       Optional<FlashRNN_FloatTensor>:$s0);
  let results = (outs FlashRNN_FloatTensor:$states,
                      FlashRNN_FloatTensor:$last);
  let assemblyFormat = [{
    $cell `(` $wx `,` $r `,` $b (`,` $s0^)? `)` attr-dict `:`
    `(` type($wx) `,` type($r) `,` type($b) (`,` type($s0)^)? `)`
    `->` `(` type($states) `,` type($last) `)`
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Tile level (inside the fused kernel)
//===----------------------------------------------------------------------===//

def FlashRNN_ExchangeOp : FlashRNN_Op<"exchange", [AttrSizedOperandSegments]> {
  let summary = "publishes per-element values to every CTA of a head";
  let description = [{
    The step's only synchronisation point. Each thread contributes K values
    (forward: the new h; backward: the gradients of the recurrent gate
    parts) of its (batch row, unit) element; when the op returns,
    `buffer[slot, row, :]` (K = 1, buffer [2, BT, DH]) or
    `buffer[slot, row, k, :]` (buffer [2, BT, K, DH]) in shared memory holds
    the whole row of the thread's batch row, from every CTA of the head.
    `epoch` counts the exchanges of the kernel so far, from 0. The values are
    f32; a bf16 or f16 buffer (the tensor-core forward keeps h in the element
    type, as the matmul reads it) stores them rounded.

    Two attributes serve the tensor-core forward:
    * `rows` (default 1): the K values belong to `rows` consecutive batch
      rows, K / rows values each; `row` then counts groups of `rows` rows
      (the thread's rows are rows * row .. rows * row + rows - 1).
    * `parts` (default 1): each value is stored as `parts` terms of the
      buffer's element type, the first the value rounded and each further
      one the rounding error of those before (h = hi + lo), so that a matmul
      on the terms sees about twice the element type's precision.
    The buffer is then [2, BT / rows, K * parts, DH]: term p of value k at
    `buffer[slot, row, k * parts + p, unit]`. The optional `mask` says
    whether this thread publishes at all (threads of a CTA that hold copies
    of the same values publish once); every thread still takes part in the
    synchronisation.

    flashrnn-grid-sync lowers it: within one CTA to shared-memory stores and
    one block barrier; across CTAs to stores to global memory, one grid
    barrier (atomics and fences) and a copy back into shared memory.
  }];
  let arguments = (ins Variadic<F32>:$values, AnyMemRef:$buffer, Index:$slot,
                       Index:$row, Index:$unit, Index:$epoch,
                       Optional<I1>:$mask,
                       DefaultValuedAttr<I64Attr, "1">:$rows,
                       DefaultValuedAttr<I64Attr, "1">:$parts);
  let assemblyFormat = [{
    $values `into` $buffer `[` $slot `,` $row `,` $unit `]` `epoch` $epoch
    (`if` $mask^)? attr-dict `:` type($buffer)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::ValueRange":$values, "::mlir::Value":$buffer,
                   "::mlir::Value":$slot, "::mlir::Value":$row,
                   "::mlir::Value":$unit, "::mlir::Value":$epoch), [{
      build($_builder, $_state, values, buffer, slot, row, unit, epoch,
            ::mlir::Value(), 1, 1);
    }]>
  ];
  let hasVerifier = 1;
}

#endif // FLASHRNN_OPS_TD
