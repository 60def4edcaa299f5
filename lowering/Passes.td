//===- Passes.td - FlashRNN-MLIR lowering passes -----------*- tablegen -*-===//
//
// The passes that take a flashrnn.sequence to one persistent, fused GPU
// kernel. Each stage can be run and printed on its own with flashrnn-opt.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_LOWERING_PASSES_TD
#define FLASHRNN_LOWERING_PASSES_TD

include "mlir/Pass/PassBase.td"

def FlashRNNPlan : Pass<"flashrnn-plan", "::mlir::ModuleOp"> {
  let summary = "choose the schedule of every sequence for a target chip";
  let description = [{
    Picks, from the chip's limits (shared memory per block, threads per
    block, SM count), how many CTAs share a head (each owning all gates of a
    slice of hidden units), the batch tile, and where R lives for the whole
    sequence. The schedule is attached to the sequence op:

    ```mlir
    %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) {flashrnn.schedule =
        #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 64,
                           batchTile = 8, threads = 512, rPlacement = "smem",
                           gridBarrier = false, sharedBytes = 36864>} ...
    ```

    For bf16 and f16 (DH a multiple of 16, batch tile 8) the forward and the
    backward get the tensor-core schedule (rPlacement = "registers":
    mma.sync m16n8k16, R's or R^T's fragments in registers): the head in one
    CTA where the fragments fit the per-thread register budget, else split
    over the fewest CTAs (a grid barrier per step) and K slices (warps that
    share the K dimension of a group of units) that fit; threads = 4 U S in
    the forward, 2 U S in the backward, for U = unitsPerCta and S slices.
    On sm_90, where a split head needs at most 8 CTAs, they form one
    thread-block cluster (`cluster`, no grid barrier): h (forward) and dg
    (backward) then cross CTAs through distributed shared memory.
    Otherwise R goes to shared memory and each thread owns one (batch row,
    unit) element with a scalar matmul.

    Where the forward runs over a grid barrier, a wave of the chip's SMs
    holds few (head, batch tile) pairs of it (LSTM 768 on sm_90: 48 CTAs
    each, 2 per wave of 132 SMs). If the head also fits a non-portable
    cluster of up to 16 CTAs, which holds more per wave, the planner adds
    that schedule as `flashrnn.batch_variants` for the runs of more pairs
    than one wave of the grid schedule holds; the package then has both
    forwards and the runtime picks one per run (batch-variants=false: one).

    A sequence the chip cannot hold (R of one head larger than the shared
    memory of all its SMs, say) is a diagnostic that says what does not fit
    and by how much.
  }];
  let dependentDialects = ["::mlir::flashrnn::FlashRNNDialect"];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "target chip: sm_80, sm_86, sm_89 or sm_90">,
    Option<"batchTile", "batch-tile", "int64_t", /*default=*/"8",
           "batch rows per CTA">,
    Option<"maxSharedBytes", "max-shared-bytes", "int64_t", /*default=*/"0",
           "override the chip's shared memory per block (0: the chip's)">,
    Option<"training", "training", "bool", /*default=*/"false",
           "also plan the backward kernel (flashrnn.backward_schedule)">,
    Option<"mma", "mma", "bool", /*default=*/"true",
           "use the tensor-core forward (R in registers) where it fits">,
    Option<"clusters", "clusters", "bool", /*default=*/"true",
           "on sm_90, run a tensor-core forward head split over at most 8 "
           "CTAs as one thread-block cluster (distributed shared memory), "
           "and one that needs more as a non-portable cluster of up to "
           "max-cluster-ctas where it pays">,
    Option<"taggedExchange", "tagged-exchange", "bool", /*default=*/"false",
           "in tensor-core forwards split over CTAs with a grid barrier, "
           "exchange each step's h as tagged words that the readers poll (no "
           "grid barrier per step) where it has one element-type term and "
           "the poll's registers fit; off by default: slower on the H200 "
           "(LSTM 768 2.31 -> 2.82 ms, docs/PERFORMANCE.md)">,
    Option<"clusterExchange", "cluster-exchange", "std::string",
           /*default=*/"\"async\"",
           "how h crosses the CTAs of a cluster in the tensor-core forward: "
           "'barrier' (stores into every CTA's shared memory, then a cluster "
           "barrier) or 'async' (st.async, whose bytes complete on the "
           "receiver's mbarrier; no cluster barrier per step)">,
    Option<"maxClusterCtas", "max-cluster-ctas", "int64_t", /*default=*/"16",
           "on sm_90, the most CTAs of a non-portable thread-block cluster "
           "for a tensor-core forward head that R in registers alone would "
           "spread over more than 8 CTAs (R then split between registers "
           "and shared memory); 8 or less: no such clusters">,
    Option<"forwardSharedRTiles", "forward-shared-r-tiles", "int64_t",
           /*default=*/"-1",
           "in a non-portable cluster's tensor-core forward, this many "
           "k-tiles of each K slice keep R in shared memory, without the "
           "register estimate (for measurement; -1: the planner's choice)">,
    Option<"batchVariants", "batch-variants", "bool", /*default=*/"true",
           "where the forward runs over a grid barrier, also plan it as a "
           "non-portable cluster for runs of enough (head, batch tile) "
           "pairs that the cluster needs fewer waves of the chip's SMs "
           "(flashrnn.batch_variants; the runtime picks per run)">,
    Option<"stagedStores", "staged-stores", "bool", /*default=*/"true",
           "in the tensor-core forward and backward, stage each step's "
           "output rows in shared memory and write them a step later as "
           "16-byte runs">,
    Option<"forwardKSlices", "forward-k-slices", "int64_t", /*default=*/"1",
           "the fewest warps that share each group of units' K dimension in "
           "the tensor-core forward (more warps per CTA; 1: as few as fit)">,
    Option<"backwardKSlices", "backward-k-slices", "int64_t",
           /*default=*/"1",
           "the fewest warps that share each group of units' K dimension in "
           "the tensor-core backward (more warps per CTA; 1: as few as fit)">,
    Option<"trainingHParts", "training-h-parts", "int64_t", /*default=*/"0",
           "element-type terms of h in the tensor-core training forward's "
           "matmul: 1, 2 (hi + lo), or 0: 1 where the cell body is smooth "
           "(no exp, max, div, ...), else 2">,
    Option<"backwardDgParts", "backward-dg-parts", "int64_t",
           /*default=*/"0",
           "element-type terms of dg in the tensor-core backward's matmul: "
           "1, 2 (hi + lo), or 0: 1">,
    Option<"backwardRowSplit", "backward-row-split", "int64_t",
           /*default=*/"0",
           "warps per group of 16 units in the tensor-core backward of a "
           "head in one CTA: 2 (the two run the same matmul, each adjoins "
           "one of a lane's two batch rows: twice the threads), 1, or 0: "
           "the planner's choice">,
  ];
}

def FlashRNNDeriveBackward : Pass<"flashrnn-derive-backward", "::mlir::ModuleOp"> {
  let summary = "derive the adjoint of every cell body by automatic differentiation";
  let description = [{
    Adds, next to every `flashrnn.cell @c`, a private function

    ```mlir
    func.func private @c_adjoint(%s_prev..., %gates..., %constants..., %ds...)
        -> (%ds_prev..., %dgates...) attributes {flashrnn.adjoint_of = @c}
    ```

    that recomputes the body from the previous states and the gate values
    (both saved by the training-mode forward kernel) and propagates the
    states' adjoints backwards through it with each op's derivative rule.
    `%ds_prev` is the part of the previous states' gradient that flows
    through the body (the recurrent matmul's part is added by the backward
    kernel); stop_gradient blocks the flow.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def FlashRNNFuseTimeLoop : Pass<"flashrnn-fuse-time-loop", "::mlir::ModuleOp"> {
  let summary = "turn each planned sequence into one persistent kernel";
  let description = [{
    Builds, for every flashrnn.sequence with a schedule, a `gpu.func` in the
    `gpu.module @flashrnn_kernels` whose time loop (`scf.for`), each step,
    does the recurrent matmul for all gates of the CTA's slice of hidden
    units, adds the input part and the bias, applies the cell body (cloned
    from the cell) and writes the states; `flashrnn.exchange` marks where
    h is shared with the head's other threads. The sequence op gains a
    `flashrnn.kernel` reference to it. R is still read from global memory
    inside the loop: flashrnn-cache-recurrent-weights moves it on chip.
    With a backward schedule (training) it also builds the saving forward,
    the reverse-time backward (the tensor-core one, for rPlacement
    "registers", gathers R^T's fragments into registers before its loop:
    their pairs are not contiguous in R) and the dR/db reduction chosen by
    `reduction`.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect"];
  let options = [
    Option<"reduction", "reduction", "std::string", /*default=*/"\"auto\"",
           "the dR/db reduction kernel: \"mma\" (a tensor-core GEMM over "
           "B x T, bf16/f16 sequences), \"sliced\" (the B x T sum in four "
           "slices per element), \"serial\" (one chain per element), or "
           "\"auto\" (mma where it applies, else sliced)">,
  ];
}

def FlashRNNCacheRecurrentWeights
    : Pass<"flashrnn-cache-recurrent-weights", "::mlir::ModuleOp"> {
  let summary = "load R once, before the time loop, into shared memory or registers";
  let description = [{
    For every fused kernel whose schedule places R in shared memory, copies
    the CTA's slice of R (all recurrent gates, all inputs, its units) into
    shared memory before the time loop, transposed so that consecutive
    threads read consecutive words, and rewrites every load of R inside the
    loop into a load of that copy. For a schedule that places R in registers
    (the tensor-core forward) it hoists the kernel's loop-invariant fragment
    loads of R (vector.load) above the time loop instead. After it, no load
    of R is left inside the time loop.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect"];
}

def FlashRNNGridSync : Pass<"flashrnn-grid-sync", "::mlir::ModuleOp"> {
  let summary = "lower flashrnn.exchange to exactly one barrier per step";
  let description = [{
    A head inside one CTA: the new h goes to shared memory (as `parts`
    terms of the buffer's type where asked: hi and lo), then one block
    barrier (`gpu.barrier`). A head over several CTAs: the new h goes to the
    global exchange buffer (f32), then one grid barrier over the CTAs of the
    head and batch tile (a fence, one atomic increment of the group's
    counter, a spin until all have arrived, a fence), then the h rows are
    copied back into shared memory: per thread its row (the scalar
    kernels), or the whole tile in 16-byte quads split into the terms (the
    tensor-core forward's tile layout). The launch must be cooperative. A
    head whose CTAs form one thread-block cluster (schedule `cluster`):
    every term goes straight into the shared buffer of every CTA of the
    cluster (distributed shared memory), then one cluster barrier; the
    kernel also starts and ends with a cluster barrier, so that no CTA
    writes into the shared memory of one not yet started or already gone.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def FlashRNNApproximateMath : Pass<"flashrnn-approximate-math"> {
  let summary = "tanh.approx for tanh and sigmoid in bf16/f16 kernels";
  let description = [{
    In fused kernels whose element type is bf16 or f16 (read off their R or
    Wx argument), rewrites `math.tanh(x)` to the hardware's
    `tanh.approx.f32` (relative error about 2^-11, below the storage
    rounding of either type) and `flashrnn.sigmoid(x)` to
    `0.5 + 0.5 * tanh.approx(0.5 * x)`: one MUFU instruction instead of a
    libdevice sequence or an exp and an IEEE division, on the step's
    dependent chain. f32 kernels are left alone. Runs before
    flashrnn-expand-cell-ops.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def FlashRNNExpandCellOps : Pass<"flashrnn-expand-cell-ops"> {
  let summary = "expand sigmoid, logsigmoid, softplus and stop_gradient";
  let description = [{
    Rewrites the dialect's element-wise ops into arith and math, in
    numerically stable forms: sigmoid(x) = 1 / (1 + exp(-x)),
    softplus(x) = max(x, 0) + log1p(exp(-|x|)),
    logsigmoid(x) = min(x, 0) - log1p(exp(-|x|)); stop_gradient(x) = x.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

#endif // FLASHRNN_LOWERING_PASSES_TD
