//===- FlashRNNAttrs.td - gate, state and constant attributes -*- tablegen -*-===//
//
// A cell's declarations. They are printed inside the cell's own syntax
// (`gates(i: rec in bias, ...)`), so their generic form below only shows up
// where an attribute is printed on its own.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_ATTRS_TD
#define FLASHRNN_ATTRS_TD

include "dialect/FlashRNNDialect.td"

def FlashRNN_GateAttr : FlashRNN_Attr<"Gate", "gate"> {
  let summary = "a named gate and where its pre-activation comes from";
  let description = [{
    `recurrent`: the gate has a row in R (R[k] . h). `input`: a row in Wx.
    `bias`: a row in b added to the input part. `split`: the body receives the
    input part and the recurrent part as two values instead of their sum
    (GRU's reset-after candidate). `recurrentBias`: a second row in b, added
    to the recurrent part of a split gate.
  }];
  let parameters = (ins "::mlir::StringAttr":$name, "bool":$recurrent,
                        "bool":$input, "bool":$bias, "bool":$split,
                        "bool":$recurrentBias);
  let assemblyFormat = "`<` struct(params) `>`";
}

def FlashRNN_StateAttr : FlashRNN_Attr<"State", "state"> {
  let summary = "a named state, its initial value, whether it feeds R";
  let parameters = (ins "::mlir::StringAttr":$name, "::mlir::FloatAttr":$init,
                        "bool":$recurrent);
  let assemblyFormat = "`<` struct(params) `>`";
}

def FlashRNN_ConstantAttr : FlashRNN_Attr<"Constant", "constant"> {
  let summary = "a named scalar constant of a cell";
  let parameters = (ins "::mlir::StringAttr":$name, "::mlir::FloatAttr":$value);
  let assemblyFormat = "`<` struct(params) `>`";
}

def FlashRNN_ScheduleAttr : FlashRNN_Attr<"Schedule", "schedule"> {
  let summary = "how a sequence runs on a chip (chosen by flashrnn-plan)";
  let description = [{
    `ctasPerHead` thread blocks share one head, each owning `unitsPerCta`
    hidden units with all their gates, for a tile of `batchTile` batch rows.
    `rPlacement` says where the recurrent weights live for the whole
    sequence: "smem" (the CTA's slice in shared memory) or "global" (R does
    not fit on chip and is read from global memory every step), both with
    one thread per (row, unit), `threads` = unitsPerCta * batchTile; or
    "registers" (the tensor-core kernels: R's or R^T's mma fragments in
    registers, batch tile 8): in the forward `threads` = 4 * unitsPerCta * S,
    two (row, unit) elements per thread, in the backward 2 * unitsPerCta * S,
    four, where S warps share the K dimension of each group of units (8 in
    the forward, 16 in the backward). `cluster` (sm_90, tensor-core forward,
    at most 8 CTAs per head, or up to 16 as a non-portable cluster that the
    runtime opts in to): the CTAs of a head form one thread-block
    cluster and exchange h through distributed shared memory around a
    cluster barrier instead of the grid barrier (gridBarrier is then false). `gridBarrier` says whether the CTAs of a head
    meet at a grid barrier every step (ctasPerHead > 1); `sharedBytes` is the
    dynamic shared memory of one CTA. `stagedStores` (tensor-core kernels):
    the per-step outputs go through a double-buffered stage at the end of
    the shared memory and are written a step later as whole 16-byte runs of
    the CTA's units, instead of one scattered store per value: in the
    forward the states (and in training the saved gate values and states;
    the inference forward only where it writes at least three rows per
    element and step, kMinStagedStreams), in the backward dgates and dwx.
    `recurrentParts` (tensor-core training kernels): h in the training
    forward and dg in the backward as one element-type term or two (hi +
    lo). `rowSplit` (tensor-core backward of a head in one CTA, no K
    slices): 2 gives each group of 16 units two warps that run the same
    matmul and adjoin one of the lane's two batch rows each (`threads` =
    4 * unitsPerCta, two elements per thread). `taggedExchange` (tensor-core
    kernels over a grid barrier, one element-type term): each step's values
    cross CTAs as 32-bit words of the value's 16 bits and a 16-bit tag of the
    step, which the readers poll until every word carries the step's tag, so
    that the step needs no grid barrier (one at the kernel's start clears the
    words); the CTAs must still be co-resident (a cooperative launch).
    `asyncExchange` (tensor-core forward in a cluster): each CTA writes its
    h block into the shared memory of the others with st.async, which
    completes transaction bytes on the receiver's mbarrier (one per slot);
    the readers wait on their own mbarrier instead of a cluster barrier.
    `sharedRTiles` (tensor-core forward): the last sharedRTiles k-tiles of
    each warp's K slice keep their R fragments in shared memory (each
    thread's own, read back every step) instead of registers, so that a
    head whose R fits registers and shared memory together, but not
    registers alone, fits a cluster (a 768 head over 16 CTAs).
  }];
  let parameters = (ins "::mlir::StringAttr":$chip, "int64_t":$ctasPerHead,
                        "int64_t":$unitsPerCta, "int64_t":$batchTile,
                        "int64_t":$threads, "::mlir::StringAttr":$rPlacement,
                        "bool":$gridBarrier, "int64_t":$sharedBytes,
                        DefaultValuedParameter<"bool", "false">:$cluster,
                        DefaultValuedParameter<"bool", "false">:$stagedStores,
                        DefaultValuedParameter<"int64_t", "2">:$recurrentParts,
                        DefaultValuedParameter<"int64_t", "1">:$rowSplit,
                        DefaultValuedParameter<"bool", "false">:$taggedExchange,
                        DefaultValuedParameter<"bool", "false">:$asyncExchange,
                        DefaultValuedParameter<"int64_t", "0">:$sharedRTiles);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def FlashRNN_BatchVariantAttr
    : FlashRNN_Attr<"BatchVariant", "batch_variant"> {
  let summary = "a second forward schedule for large batches (flashrnn-plan)";
  let description = [{
    The sequence's forward (inference and training) under `schedule` for runs
    of at least `minHeadTiles` (head, batch tile) pairs, NH x ceil(B /
    batchTile); smaller runs keep the sequence's `flashrnn.schedule`. Both
    kernels go into one package and the runtime picks one per run (the
    package's `min_head_tiles`), so a new B needs no recompilation. The
    planner adds one where the schedule it prefers (a head over a grid
    barrier) holds fewer of those pairs per wave of the chip's SMs than a
    thread-block cluster does: past that many pairs the cluster needs fewer
    waves.
  }];
  let parameters = (ins "int64_t":$minHeadTiles,
                        "::mlir::flashrnn::ScheduleAttr":$schedule);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def FlashRNN_BatchVariantArrayAttr
    : TypedArrayAttrBase<FlashRNN_BatchVariantAttr, "array of batch variants">;

def FlashRNN_GateArrayAttr
    : TypedArrayAttrBase<FlashRNN_GateAttr, "array of gates">;
def FlashRNN_StateArrayAttr
    : TypedArrayAttrBase<FlashRNN_StateAttr, "array of states">;
def FlashRNN_ConstantArrayAttr
    : TypedArrayAttrBase<FlashRNN_ConstantAttr, "array of constants">;

#endif // FLASHRNN_ATTRS_TD
