//===- Passes.h - FlashRNN-MLIR lowering passes ---------------------------===//
#ifndef FLASHRNN_LOWERING_PASSES_H
#define FLASHRNN_LOWERING_PASSES_H

#include "dialect/FlashRNNOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace mlir::flashrnn {

#define GEN_PASS_DECL
#include "lowering/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowering/Passes.h.inc"

/// Patterns that expand sigmoid, logsigmoid, softplus and stop_gradient into
/// arith and math (the flashrnn-expand-cell-ops pass).
void populateExpandCellOpsPatterns(RewritePatternSet &patterns);

/// Options of the whole sequence -> PTX pipeline.
struct PtxPipelineOptions {
  std::string chip = "sm_90";
  int64_t batchTile = 8;
  /// Also build the training-mode forward and the backward kernels.
  bool training = true;
  /// Use the tensor-core forward where a head fits one CTA.
  bool mma = true;
  /// On sm_90, a tensor-core forward head over at most 8 CTAs as one
  /// thread-block cluster.
  bool clusters = true;
  /// Exchange h across the CTAs of a split tensor-core forward as tagged
  /// words instead of around a grid barrier per step (off: slower on the
  /// H200, docs/PERFORMANCE.md, thirteenth session).
  bool taggedExchange = false;
  /// How h crosses the CTAs of a cluster in the tensor-core forward:
  /// "barrier" (a cluster barrier per step) or "async" (st.async completing
  /// on the receiver's mbarrier).
  std::string clusterExchange = "async";
  /// On sm_90, the most CTAs of a non-portable cluster for a forward head
  /// that R in registers alone would spread over more than 8 (flashrnn-plan's
  /// max-cluster-ctas; 8 or less: none).
  int64_t maxClusterCtas = 16;
  /// Shared k-tiles of such a cluster's forward, forced (-1: the planner's).
  int64_t forwardSharedRTiles = -1;
  /// Plan a forward over a grid barrier also as a cluster for large batches
  /// (flashrnn-plan's batch-variants): both forwards go into the package.
  bool batchVariants = true;
  /// Stage the tensor-core forward's and backward's per-step output rows in
  /// shared memory (written a step later as 16-byte runs).
  bool stagedStores = true;
  /// The fewest K slices (warps sharing a group's K dimension) of the
  /// tensor-core forward and backward (flashrnn-plan's options).
  int64_t forwardKSlices = 1, backwardKSlices = 1;
  /// Element-type terms of h in the training forward's and of dg in the
  /// backward's matmul (flashrnn-plan's training-h-parts and
  /// backward-dg-parts): 1, 2, or 0 for the planner's choice (h: by cell,
  /// dg: 1).
  int64_t trainingHParts = 0, backwardDgParts = 0;
  /// Warps per group of units in the one-CTA tensor-core backward
  /// (flashrnn-plan's backward-row-split): 1, 2, or 0 for the planner's
  /// choice.
  int64_t backwardRowSplit = 0;
  /// tanh.approx for tanh and sigmoid in bf16/f16 kernels.
  bool approximateMath = true;
  /// The dR/db reduction kernel: auto, mma, sliced or serial
  /// (flashrnn-fuse-time-loop's `reduction` option).
  std::string reduction = "auto";
  std::string cudaToolkit = "/usr/local/cuda";
};

/// Adds plan, fuse-time-loop, cache-recurrent-weights, grid-sync,
/// expand-cell-ops and the upstream lowering to NVVM and PTX to `pm`.
void buildSequenceToPtxPipeline(OpPassManager &pm,
                                const PtxPipelineOptions &options);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_PASSES_H
