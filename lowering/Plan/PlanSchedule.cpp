//===- PlanSchedule.cpp - the flashrnn-plan pass --------------------------===//
//
// Chooses a schedule per sequence. First choice, for the forward and the
// backward: the tensor-core schedule (rPlacement "registers") with R's (or
// R^T's) mma fragments in registers, where the element type has an
// m16n8k16 mma (bf16, f16) and DH is a multiple of 16: a head in one CTA
// where its fragments fit the per-thread register budget, else spread over
// the fewest CTAs (a grid barrier per step) and warps that share the K
// dimension; on sm_90 at most 8 CTAs form one thread-block cluster, and a
// forward head that needs more can be one non-portable cluster of up to 16
// with R split between registers and shared memory (see largeCluster in
// findMmaSchedule). Otherwise the scalar schedule: every CTA owns all gates of a slice of U hidden units of
// one head for a tile of batch rows, so the cell math needs no exchange;
// only h crosses CTAs. The smallest number of CTAs per head whose slice of
// R, plus the double-buffered h tile, fits the shared memory of one block
// wins: fewer CTAs means no grid barrier (C = 1) or a cheaper one.
//
//===----------------------------------------------------------------------===//
#include "lowering/Passes.h"
#include "dialect/CellBodyOps.h"
#include "lowering/Common/KernelABI.h"
#include "lowering/Plan/ChipLimits.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNPLAN
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

/// The mma.sync N dimension: the tensor-core forward's batch tile.
constexpr int64_t kMmaBatchTile = 8;
/// The largest thread-block cluster every sm_90 launch may have (larger ones
/// are "non-portable" and need an opt-in).
constexpr int64_t kMaxClusterCtas = kPortableClusterCtas;
/// The most registers a thread can have (PTX ISA, all sm_80+ chips).
constexpr int64_t kMaxRegistersPerThread = 255;

/// Bytes of one element of `type` as stored on chip (R keeps its dtype).
int64_t elementBytes(Type type) { return type.getIntOrFloatBitWidth() / 8; }

std::string formatBytes(int64_t bytes) {
  if (bytes >= 1024 * 1024)
    return llvm::formatv("{0:F1} MiB", bytes / (1024.0 * 1024.0)).str();
  return llvm::formatv("{0:F1} KiB", bytes / 1024.0).str();
}

struct FlashRNNPlan : flashrnn::impl::FlashRNNPlanBase<FlashRNNPlan> {
  using FlashRNNPlanBase::FlashRNNPlanBase;

  void runOnOperation() override {
    std::optional<ChipLimits> limits = lookupChipLimits(chip);
    if (!limits) {
      getOperation().emitError() << "flashrnn-plan: unknown chip '" << chip
                                 << "'; known chips: " << knownChips();
      return signalPassFailure();
    }
    if (maxSharedBytes > 0)
      limits->maxSharedBytesPerBlock = maxSharedBytes;
    if (forwardKSlices < 1 || backwardKSlices < 1) {
      getOperation().emitError()
          << "flashrnn-plan: forward-k-slices and backward-k-slices must be "
             ">= 1, got "
          << int64_t(forwardKSlices) << " and " << int64_t(backwardKSlices);
      return signalPassFailure();
    }
    if (trainingHParts < 0 || trainingHParts > 2 || backwardDgParts < 0 ||
        backwardDgParts > 2) {
      getOperation().emitError()
          << "flashrnn-plan: training-h-parts and backward-dg-parts must be "
             "0 (by cell), 1 or 2, got "
          << int64_t(trainingHParts) << " and " << int64_t(backwardDgParts);
      return signalPassFailure();
    }
    if (backwardRowSplit < 0 || backwardRowSplit > 2) {
      getOperation().emitError()
          << "flashrnn-plan: backward-row-split must be 0 (the planner's "
             "choice), 1 or 2, got "
          << int64_t(backwardRowSplit);
      return signalPassFailure();
    }
    if (clusterExchange != "barrier" && clusterExchange != "async") {
      getOperation().emitError()
          << "flashrnn-plan: cluster-exchange must be 'barrier' or 'async', "
             "got '"
          << clusterExchange << "'";
      return signalPassFailure();
    }
    if (batchTile < 1 || batchTile > limits->maxThreadsPerBlock) {
      getOperation().emitError()
          << "flashrnn-plan: batch-tile must be in [1, "
          << limits->maxThreadsPerBlock << "], got " << int64_t(batchTile);
      return signalPassFailure();
    }
    WalkResult result = getOperation().walk([&](SequenceOp op) {
      return failed(plan(op, *limits)) ? WalkResult::interrupt()
                                       : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  /// The smallest split of a head whose CTA fits: the h (or gradient)
  /// exchange tile, `exchangeValues` f32 per element double-buffered, plus
  /// the CTA's slice of R. Batch tiles are tried from `batchTiles` in order.
  std::optional<ScheduleAttr> findSchedule(MLIRContext *ctx,
                                           const ChipLimits &limits,
                                           int64_t gates, int64_t dh,
                                           int64_t rBytes,
                                           int64_t exchangeValues,
                                           ArrayRef<int64_t> batchTiles,
                                           bool rInGlobal = false) {
    Builder b(ctx);
    // R left in global memory takes no shared memory.
    int64_t rHeadBytes = rInGlobal ? 0 : gates * dh * dh * rBytes;
    for (int64_t tile : batchTiles) {
      int64_t exchangeBytes = 2 * tile * exchangeValues * dh * 4;
      for (int64_t ctas = 1; ctas <= dh && ctas <= limits.numSMs; ++ctas) {
        if (dh % ctas != 0)
          continue;
        int64_t units = dh / ctas;
        int64_t threads = units * tile;
        int64_t shared = exchangeBytes + rHeadBytes / ctas;
        // With R in global memory each thread keeps its matmul's addresses
        // and partial sums in registers: at most half the block size, so
        // that ptxas may use 128 registers (1024 threads spilled, measured
        // with ptxas -v for LSTM at DH = 2048).
        int64_t maxThreads = rInGlobal ? limits.maxThreadsPerBlock / 2
                                       : limits.maxThreadsPerBlock;
        if (threads > maxThreads ||
            shared > limits.maxSharedBytesPerBlock)
          continue;
        return ScheduleAttr::get(ctx, b.getStringAttr(chip), ctas, units, tile,
                                 threads,
                                 b.getStringAttr(rInGlobal ? "global" : "smem"),
                                 ctas > 1, shared, /*cluster=*/false,
                                 /*stagedStores=*/false,
                                 /*recurrentParts=*/2, /*rowSplit=*/1,
                                 /*taggedExchange=*/false,
                                 /*asyncExchange=*/false,
                                 /*sharedRTiles=*/0);
      }
    }
    return std::nullopt;
  }

  /// A split of a head for the tensor-core kernels: `ctas` CTAs of `units`
  /// units each, every group of units served by `slices` warps that share
  /// the K dimension, `threads` threads per CTA.
  struct MmaSplit {
    int64_t ctas, units, slices, threads;
  };

  /// The splits of a head of `dh` units into CTAs (of a multiple of
  /// `groupUnits` units each) and K slices (dividing `kTiles`, with
  /// `threadsPerUnit` threads per unit and slice), in the order the planner
  /// prefers: fewest CTAs (a cheaper barrier), then fewest slices (no
  /// partial sums to exchange), at least `minSlices`. Returns the first
  /// schedule `accept` makes.
  std::optional<ScheduleAttr> searchMmaSplits(
      const ChipLimits &limits, int64_t dh, int64_t groupUnits,
      int64_t kTiles, int64_t threadsPerUnit, int64_t minSlices,
      function_ref<std::optional<ScheduleAttr>(const MmaSplit &)> accept) {
    for (int64_t ctas = 1;
         ctas <= limits.numSMs && ctas <= dh / groupUnits; ++ctas) {
      if (dh % (groupUnits * ctas) != 0)
        continue;
      int64_t units = dh / ctas;
      for (int64_t slices = minSlices; slices <= kTiles; ++slices) {
        if (kTiles % slices != 0)
          continue;
        int64_t threads = threadsPerUnit * units * slices;
        if (threads > limits.maxThreadsPerBlock)
          break;
        if (std::optional<ScheduleAttr> schedule =
                accept({ctas, units, slices, threads}))
          return schedule;
      }
    }
    return std::nullopt;
  }

  /// Whether the CTAs of a split may form one thread-block cluster: more
  /// than one, at most the portable cluster size, on sm_90, and allowed.
  bool clusterAllowed(const MmaSplit &split) {
    return clusters && split.ctas > 1 && split.ctas <= kMaxClusterCtas &&
           chip >= std::string("sm_90");
  }

  ScheduleAttr makeMmaSchedule(MLIRContext *ctx, const MmaSplit &split,
                               int64_t shared, bool inCluster, bool staged,
                               int64_t recurrentParts, int64_t rowSplit = 1,
                               bool tagged = false, bool async = false,
                               int64_t sharedRTiles = 0) {
    Builder b(ctx);
    return ScheduleAttr::get(ctx, b.getStringAttr(chip), split.ctas,
                             split.units, kMmaBatchTile,
                             split.threads * rowSplit,
                             b.getStringAttr("registers"),
                             split.ctas > 1 && !inCluster, shared, inCluster,
                             staged, recurrentParts, rowSplit,
                             tagged && split.ctas > 1 && !inCluster,
                             async && inCluster, sharedRTiles);
  }

  /// The element-type terms of h in the training forward's matmul: the
  /// option where it is given, else one for a smooth cell body
  /// (isSmoothCellBody: LSTM, GRU, Elman), two (hi + lo) otherwise: an
  /// 8-bit h moves the branch points of a max or an exp, and sLSTM's and
  /// Li-GRU's gradients at T = 1024 were then off by 2.4e-2 and 1.8e-2
  /// (H200, docs/PERFORMANCE.md, ninth session).
  static int64_t trainingHPartsFor(int64_t option, CellOp cell) {
    if (option > 0)
      return option;
    return cell && isSmoothCellBody(cell) ? 1 : 2;
  }

  /// The element-type terms of dg in the backward's matmul: the option
  /// where it is given, else one for every cell. dg's rounding enters the
  /// gradients linearly, through no branch point: with one part all seven
  /// example cells' gradients at T = 1024 stayed within 3.0e-3 of float64,
  /// sLSTM and Li-GRU included (against 1.7e-3 with two; same session).
  static int64_t backwardDgPartsFor(int64_t option) {
    return option > 0 ? option : 1;
  }

  /// The tensor-core forward (MmaForwardKernel.cpp): batch tile 8 (= mma
  /// N), R's fragments in registers, h in shared memory in the element type.
  /// A head is split over C CTAs of U = DH / C units each (a grid barrier
  /// per step where C > 1), and each group of 8 units over S warps that
  /// share its K dimension (threads = 4 U S). The smallest C wins, then the
  /// smallest S, whose fragments fit the per-thread register budget:
  /// fewer CTAs make the step's barrier cheaper, fewer slices save the
  /// partial sums' exchange.
  std::optional<ScheduleAttr> findMmaSchedule(MLIRContext *ctx,
                                              const ChipLimits &limits,
                                              Type elementType, int64_t gates,
                                              int64_t dh, int64_t numStates,
                                              int64_t wxGates,
                                              int64_t gateValues,
                                              int64_t hParts,
                                              std::optional<ScheduleAttr>
                                                  *largeBatch = nullptr) {
    if (!mmaApplies(elementType, dh))
      return std::nullopt;
    // In training h may have two parts (hi and lo), doubling the h
    // fragments and the accumulators; the inference forward has one.
    int64_t parts = training ? hParts : 1;
    int64_t kTiles = dh / 16;
    int64_t bytes = elementBytes(elementType);
    // A split with the last `sharedTiles` k-tiles of every slice in shared
    // memory (0: all in registers), as one cluster of up to 16 CTAs where
    // `largeCluster`.
    auto acceptShared = [&](const MmaSplit &split, int64_t sharedTiles,
                            bool largeCluster) -> std::optional<ScheduleAttr> {
      int64_t registerKTiles = kTiles / split.slices - sharedTiles;
      int64_t registers =
          largeCluster
              ? estimateStreamedForwardRegisters(gates, registerKTiles,
                                                 numStates, wxGates, parts)
              : estimateMmaForwardRegisters(gates, registerKTiles, numStates,
                                            wxGates, parts);
      // The whole file, not registerBudget's per-partition bound: the
      // estimate's slack carries Li-GRU 768's 288 threads (estimated over
      // 168, ptxas takes 150 without spilling); the exact bound would move it
      // to another, unmeasured split. Fragments in shared memory, a new
      // schedule, take the exact bound.
      int64_t budget =
          largeCluster
              ? registerBudget(split.threads)
              : std::min<int64_t>(kMaxRegistersPerThread,
                                  limits.registersPerSM / split.threads);
      // A forced count of shared k-tiles (forward-shared-r-tiles, for
      // measurement) skips the estimate: ptxas -v then says what fits.
      if (registers > budget && !(largeCluster && forwardSharedRTiles >= 0))
        return std::nullopt;
      // h, double-buffered: one part per row padded by 8 (inference),
      // or two parts padded by 4 each (training); the larger serves
      // both kernels. Then the slices' partial sums.
      // (In a large cluster, where shared memory is short, only the layout
      // the kernels use: two parts only where the training forward has
      // them. Elsewhere the larger, as measured.)
      int64_t shared =
          2 * kMmaBatchTile *
          (largeCluster && parts == 1 ? dh + 8
                                      : std::max(dh + 8, 2 * (dh + 4))) *
          bytes;
      shared += mmaForwardPartialsBytes(split.slices, split.units, gates);
      // The ring of the next steps' Wx tiles.
      shared += tileRingBytes(wxGates, split.units, kMmaBatchTile, bytes);
      // The fragments kept in shared memory: 16 bytes per thread, m-tile
      // and shared k-tile.
      shared += split.threads * sharedTiles * ((gates + 1) / 2) * 16;
      if (shared > limits.maxSharedBytesPerBlock)
        return std::nullopt;
      // The stage of the per-step output rows, at the end: the
      // training forward's (the states, and the saved gate values and
      // states in f32) where the backward is planned too, else the
      // inference forward's where it has kMinStagedStreams rows or
      // more; left out where it does not fit.
      SmallVector<Type> staged(numStates, elementType);
      if (training)
        staged.append(gateValues + numStates,
                      Float32Type::get(ctx));
      int64_t stageBytes = stagedStoreBytes(
          staged, kMmaBatchTile, split.units);
      bool stage = stagedStores && split.units >= kMinStagedUnits &&
                   int64_t(staged.size()) >= kMinStagedStreams &&
                   shared + stageBytes <= limits.maxSharedBytesPerBlock &&
                   registers + stagedStoreRegisters(chip, staged.size()) <=
                       registerBudget(split.threads);
      if (stage)
        shared += stageBytes;
      // A head over at most 8 CTAs (the portable cluster size) on
      // sm_90 is one cluster: h through distributed shared memory and a
      // cluster barrier instead of the global buffer and the grid
      // barrier.
      // Over a grid barrier, the exchange of h goes through tagged words
      // where it has one term (flashrnn-grid-sync: the inference forward,
      // the training forward where hParts is 1) and the poll's registers
      // fit beside the rest as ptxas allocates them; else the barrier.
      int64_t runs = (kMmaBatchTile * dh / 4 + split.threads - 1) /
                     split.threads;
      int64_t withPoll = registers + taggedPollRegisters(runs) +
                         (stage ? stagedStoreRegisters(chip, staged.size())
                                : 0);
      bool tagged = taggedExchange &&
                    withPoll <= registerBudget(split.threads);
      // In a cluster, h through st.async and an mbarrier per slot where
      // asked for; the two mbarriers are static shared memory beside the
      // dynamic bytes, which the launch's opt-in maximum covers together.
      bool inCluster = largeCluster || clusterAllowed(split);
      bool async = inCluster && clusterExchange == "async" &&
                   shared + kAsyncExchangeBarrierBytes <=
                       limits.maxSharedBytesPerBlock;
      return makeMmaSchedule(ctx, split, shared, inCluster, stage,
                             training ? hParts : 2, /*rowSplit=*/1, tagged,
                             async, sharedTiles);
    };
    auto accept = [&](const MmaSplit &split) {
      return acceptShared(split, 0, /*largeCluster=*/false);
    };
    // Where R in registers alone needs more CTAs than a portable cluster
    // has: on sm_90 one non-portable cluster of 9 to maxClusterCtas CTAs
    // (the most that divide the head: the least R and matmul per SM), R
    // split between registers and shared memory. Per CTA count, the split
    // into slices that keeps the fewest k-tiles in shared memory (the
    // fewest bytes read from it per step), then the fewest slices; per
    // slice count, the fewest shared k-tiles that fit.
    auto largeCluster = [&](bool capSharedR) -> std::optional<ScheduleAttr> {
      if (!clusters || chip < std::string("sm_90") ||
          maxClusterCtas <= kMaxClusterCtas)
        return std::nullopt;
      for (int64_t ctas = std::min<int64_t>(maxClusterCtas, limits.numSMs);
           ctas > kMaxClusterCtas; --ctas) {
        if (dh % (8 * ctas) != 0)
          continue;
        int64_t units = dh / ctas;
        std::optional<ScheduleAttr> best;
        int64_t bestBytes = 0;
        // At least two slices: the estimate is fitted at 384 threads (168
        // registers); at one slice and 255 registers ptxas spilled where it
        // said the fragments fit (GRU, CIFG-LSTM 768: 60 bytes).
        constexpr int64_t kLargeClusterMinSlices = 2;
        for (int64_t slices =
                 std::max<int64_t>(forwardKSlices, kLargeClusterMinSlices);
             slices <= kTiles; ++slices) {
          if (kTiles % slices != 0)
            continue;
          int64_t threads = 4 * units * slices;
          if (threads > limits.maxThreadsPerBlock)
            break;
          MmaSplit split{ctas, units, slices, threads};
          int64_t firstTiles = std::max<int64_t>(forwardSharedRTiles, 0);
          int64_t lastTiles = forwardSharedRTiles >= 0
                                  ? std::min<int64_t>(forwardSharedRTiles,
                                                      kTiles / slices)
                                  : kTiles / slices;
          for (int64_t tiles = firstTiles; tiles <= lastTiles; ++tiles) {
            std::optional<ScheduleAttr> schedule =
                acceptShared(split, tiles, /*largeCluster=*/true);
            if (!schedule)
              continue;
            int64_t sharedR = threads * tiles * ((gates + 1) / 2) * 16;
            // Every step reads the shared fragments back: past
            // kMaxStreamedSharedRBytes per CTA that costs more than the grid
            // barrier it saves (H200, B = 16: LSTM 640 with 90 KiB 2.23 ->
            // 1.97 ms, but LSTM 768 with 156 KiB 2.30 -> 2.41 and GRU 768
            // with 180 KiB 2.29 -> 2.45; R all in registers, Elman 768
            // 2.25 -> 1.56; docs/PERFORMANCE.md, fourteenth session). A
            // forced count (forward-shared-r-tiles) is taken as it is.
            constexpr int64_t kMaxStreamedSharedRBytes = 96 * 1024;
            if (capSharedR && sharedR > kMaxStreamedSharedRBytes &&
                forwardSharedRTiles < 0)
              break;
            if (!best || sharedR < bestBytes) {
              best = schedule;
              bestBytes = sharedR;
            }
            break;
          }
        }
        if (best)
          return best;
      }
      return std::nullopt;
    };
    std::optional<ScheduleAttr> fewest =
        searchMmaSplits(limits, dh, /*groupUnits=*/8, kTiles,
                        /*threadsPerUnit=*/4, forwardKSlices, accept);
    if (fewest && fewest->getGridBarrier())
      if (std::optional<ScheduleAttr> cluster = largeCluster(true))
        return cluster;
    // The cluster the cap turned down may still pay for large batches,
    // where the grid schedule needs more waves of the SMs (see plan()).
    if (largeBatch && fewest && fewest->getGridBarrier())
      *largeBatch = largeCluster(false);
    // A head over the grid barrier: with the same CTAs, the fewest slices
    // that give at least kMinGridThreads threads where they fit. After the
    // barrier every thread copies its share of the tile's h rows out of L2;
    // LSTM 768 at 192 threads (3 slices) took 2.43 ms (inference) and 2.46
    // (training), at 256 (4 slices) 2.31 and 2.38; GRU 768 2.37 -> 2.30;
    // Elman 768 has 256 at 2 slices and lost with 4 (512 threads), 2.28 ->
    // 2.33 (H200, B = 16; docs/PERFORMANCE.md, ninth session).
    constexpr int64_t kMinGridThreads = 256;
    if (fewest && fewest->getGridBarrier() &&
        fewest->getThreads() < kMinGridThreads) {
      int64_t ctas = fewest->getCtasPerHead();
      if (std::optional<ScheduleAttr> wide = searchMmaSplits(
              limits, dh, /*groupUnits=*/8, kTiles, /*threadsPerUnit=*/4,
              forwardKSlices,
              [&](const MmaSplit &split) -> std::optional<ScheduleAttr> {
                if (split.ctas != ctas || split.threads < kMinGridThreads)
                  return std::nullopt;
                return accept(split);
              }))
        return wide;
    }
    return fewest;
  }

  /// The tensor-core backward (MmaBackwardKernel.cpp): batch tile 8 (= mma
  /// N), four (unit, batch row) elements per thread, R^T's fragments in
  /// registers, dg in shared memory in `dgParts` parts (hi, lo) of the
  /// element type. A head is split over C CTAs of U = DH / C units (a grid barrier
  /// per step where C > 1; the gate gradients go through the global
  /// exchange buffer), each group of 16 units over S warps that share the K
  /// dimension (threads = 2 U S). The smallest C, then the smallest S, whose
  /// fragments fit the register budget and whose dg rows fit shared memory.
  std::optional<ScheduleAttr>
  findMmaBackwardSchedule(MLIRContext *ctx, const ChipLimits &limits,
                          Type elementType, int64_t gates, int64_t dh,
                          int64_t numStates, int64_t numGateValues,
                          int64_t wxGates, int64_t dgParts) {
    if (!mmaApplies(elementType, dh))
      return std::nullopt;
    int64_t kTiles = gates * dh / 16;
    // dg of the whole head, all parts, double-buffered: every CTA needs it.
    auto dgBytesOf = [&](int64_t parts) {
      return 2 * kMmaBatchTile * (parts * gates * dh + 8) *
             elementBytes(elementType);
    };
    if (dgBytesOf(dgParts) > limits.maxSharedBytesPerBlock)
      return std::nullopt;
    // Two searches: first with every thread carrying the state gradients
    // of all four of its elements; where no split fits so, again with a
    // K-sliced thread carrying only those its slice adjoins
    // (mmaBackwardCarriesOwnedOnly: sLSTM 768, LSTM 768 on sm_80). The
    // second admits fewer slices for heads the first also places, whose
    // measured schedules it would change.
    bool allowOwnedOnly = false;
    auto accept = [&](const MmaSplit &split) -> std::optional<ScheduleAttr> {
          // Admitted on the estimate without the prefetch; the kernel
          // prefetches the next step's saved values where the estimate
          // with them fits too (mmaBackwardPrefetches).
          bool ownedOnly = mmaBackwardCarriesOwnedOnly(
              chip, gates, dh, numStates, numGateValues, split.slices,
              split.threads);
          if (ownedOnly && !allowOwnedOnly)
            return std::nullopt;
          int64_t registers = estimateMmaBackwardRegisters(
              chip, gates, dh, numStates, numGateValues, /*prefetch=*/false,
              split.slices, /*rowSplit=*/1, ownedOnly);
          if (registers > registerBudget(split.threads))
            return std::nullopt;
          // One part where the planner chooses, except in a head in one CTA
          // with the late prefetch near the register budget: there ptxas
          // spilled with one part (LSTM 96 on sm_90, estimated 236: 8 bytes
          // at 254 registers; with two parts none, at 255), so it keeps
          // two.
          constexpr int64_t kOnePartLateMargin = 20;
          int64_t parts = dgParts;
          if (backwardDgParts == 0 && split.ctas == 1 && split.slices == 1 &&
              !mmaBackwardPrefetches(chip, gates, dh, numStates,
                                     numGateValues, split.slices,
                                     split.threads) &&
              registers + kOnePartLateMargin > registerBudget(split.threads))
            parts = 2;
          int64_t shared = dgBytesOf(parts);
          if (split.slices > 1)
            shared += split.slices * (split.units / 16) * 4 * 32 * 4;
          if (shared > limits.maxSharedBytesPerBlock)
            return std::nullopt;
          // As in the forward: at most 8 CTAs on sm_90 form one cluster,
          // which pulls dg out of each other's shared memory. The pull's
          // remote addresses take about 12 registers more than the grid's
          // gather (sLSTM 256: 8 bytes spilled at 243 estimated): where
          // they do not fit, the grid barrier.
          constexpr int64_t kClusterRegisters = 12;
          bool inCluster = clusterAllowed(split) &&
                           registers + kClusterRegisters <=
                               registerBudget(split.threads);
          // The stage of the step's gate gradients (dgates in f32, dwx in
          // the element type), at the end.
          SmallVector<Type> staged(numGateValues, Float32Type::get(ctx));
          staged.append(wxGates, elementType);
          int64_t stageBytes =
              stagedStoreBytes(staged, kMmaBatchTile, split.units);
          // Only a head in one CTA stages: the copy sits after the
          // adjoints, where the next step's values are already live, and
          // split kernels, whose register estimate is loosest, spilled
          // (CIFG-LSTM 128, Li-GRU and JANET 768: 8 bytes on sm_90, even
          // with 16 registers of margin); the one split case measured
          // gained little (GRU 256: 3.68 -> 3.60 ms). Its registers count
          // against the estimate without the prefetch, as in the forward,
          // with a margin for the values live across the copy, fitted to
          // ptxas -v (CIFG-LSTM 128, estimated 216 + 18, spilled 8 bytes
          // with a margin of 16; LSTM 64, 204 + 24, took 250 registers
          // staged, 254 direct).
          constexpr int64_t kBackwardStageMargin = 24;
          bool stage = stagedStores && split.ctas == 1 &&
                       split.slices == 1 &&
                       shared + stageBytes <= limits.maxSharedBytesPerBlock &&
                       registers + kBackwardStageMargin +
                               stagedStoreRegisters(chip, staged.size()) <=
                           registerBudget(split.threads);
          if (stage)
            shared += stageBytes;
          // Two warps per group of units (rowSplit = 2) in a head in one
          // CTA without K slices: the same matmul in both, half the
          // adjoints per thread, two warps per scheduler. Possible where
          // twice the threads fit and the estimate for two elements per
          // thread (with the stage's margin) fits their budget; chosen
          // (option 0) where the step is mostly adjoint or where only two
          // elements leave registers for the full prefetch:
          //   * the matmul is short, at most one k-tile per K chain
          //     (kRowSplitMaxKTiles): Elman 64 (4 k-tiles) 0.620 -> 0.567
          //     ms, where LSTM 64 (16) went 1.03 -> 1.45, GRU 64 (12) 0.92
          //     -> 1.27, Li-GRU and JANET 64 (8) 0.82 -> 1.19 and 1.20
          //     (H200, B = 16; docs/PERFORMANCE.md, tenth session);
          //   * four elements get the late prefetch (sm_90) and two the
          //     full one: sLSTM 64 2.09 -> 1.99. (Before sm_90 four get no
          //     prefetch at all, LSTM 64 on sm_80 among them; not measured,
          //     so they keep one.)
          constexpr int64_t kRowSplitMaxKTiles = 4;
          int64_t rowSplit = 1;
          if (backwardRowSplit != 1 && split.ctas == 1 && split.slices == 1 &&
              2 * split.threads <= limits.maxThreadsPerBlock) {
            int64_t halved = estimateMmaBackwardRegisters(
                chip, gates, dh, numStates, numGateValues,
                /*prefetch=*/false, /*kSlices=*/1, /*rowSplit=*/2);
            if (stage)
              halved += kBackwardStageMargin +
                        stagedStoreRegisters(chip, staged.size());
            bool shortMatmul = kTiles <= kRowSplitMaxKTiles;
            bool prefetchOnlyHalved =
                chip >= std::string("sm_90") &&
                !mmaBackwardPrefetches(chip, gates, dh, numStates,
                                       numGateValues, 1, split.threads) &&
                mmaBackwardPrefetches(chip, gates, dh, numStates,
                                      numGateValues, 1, 2 * split.threads,
                                      /*rowSplit=*/2);
            if (halved <= registerBudget(2 * split.threads) &&
                (backwardRowSplit == 2 || shortMatmul || prefetchOnlyHalved))
              rowSplit = 2;
          }
          return makeMmaSchedule(ctx, split, shared, inCluster, stage,
                                 parts, rowSplit);
    };
    if (std::optional<ScheduleAttr> schedule = searchMmaSplits(
            limits, dh, /*groupUnits=*/16, kTiles, /*threadsPerUnit=*/2,
            backwardKSlices, accept))
      return schedule;
    allowOwnedOnly = true;
    return searchMmaSplits(limits, dh, /*groupUnits=*/16, kTiles,
                           /*threadsPerUnit=*/2, backwardKSlices, accept);
  }

  /// The gate values the cell body reads: one per gate, two per split gate.
  static int64_t numGateValues(CellOp cell) {
    int64_t n = 0;
    for (GateAttr g : cell.getGates().getAsRange<GateAttr>())
      n += g.getSplit() ? 2 : 1;
    return n;
  }

  LogicalResult plan(SequenceOp op, const ChipLimits &limits) {
    auto rType = cast<RankedTensorType>(op.getR().getType());
    int64_t gates = rType.getDimSize(0);
    int64_t dh = rType.getDimSize(3);
    int64_t rBytes = elementBytes(rType.getElementType());
    auto cell =
        SymbolTable::lookupNearestSymbolFrom<CellOp>(op, op.getCellAttr());
    int64_t wxGates =
        cast<RankedTensorType>(op.getWx().getType()).getDimSize(2);
    int64_t numStates = cell ? int64_t(cell.getNumStates()) : gates;
    // Forward: h (one value per element) is exchanged.
    std::optional<ScheduleAttr> largeBatch;
    std::optional<ScheduleAttr> forward =
        findMmaSchedule(op.getContext(), limits, rType.getElementType(), gates,
                        dh, numStates, wxGates,
                        cell ? numGateValues(cell) : gates,
                        trainingHPartsFor(trainingHParts, cell), &largeBatch);
    if (!forward && forwardKSlices > 1 &&
        mmaApplies(rType.getElementType(), dh))
      return diagnoseKSlices(op, dh, forwardKSlices, "forward");
    if (!forward)
      forward = findSchedule(op.getContext(), limits, gates, dh, rBytes, 1,
                             {int64_t(batchTile)});
    if (!forward) {
      forward = findSchedule(op.getContext(), limits, gates, dh, rBytes, 1,
                             {int64_t(batchTile)}, /*rInGlobal=*/true);
      if (forward)
        warnRInGlobal(op, limits, gates, dh, rBytes, "forward");
    }
    if (!forward)
      return diagnose(op, limits, gates, dh, rBytes, 1, batchTile, "forward");
    op->setAttr(kScheduleAttrName, *forward);
    if (batchVariants && largeBatch)
      if (std::optional<int64_t> from =
              largeBatchThreshold(limits, gates, *forward, *largeBatch))
        op->setAttr(kBatchVariantsAttrName,
                    Builder(op.getContext())
                        .getArrayAttr({BatchVariantAttr::get(
                            op.getContext(), *from, *largeBatch)}));
    if (!training)
      return success();
    // Backward: the gradients of all recurrent gate parts are exchanged, Gr
    // values per element, so the batch tile shrinks before the head is
    // spread over more CTAs.
    SmallVector<int64_t> tiles;
    for (int64_t t = batchTile; t >= 1; t /= 2)
      tiles.push_back(t);
    std::optional<ScheduleAttr> backward;
    if (cell)
      backward = findMmaBackwardSchedule(
          op.getContext(), limits, rType.getElementType(), gates, dh,
          cell.getNumStates(), numGateValues(cell), wxGates,
          backwardDgPartsFor(backwardDgParts));
    if (!backward && cell && backwardKSlices > 1 &&
        mmaApplies(rType.getElementType(), dh))
      return diagnoseKSlices(op, dh, backwardKSlices, "backward");
    if (!backward)
      backward = findSchedule(op.getContext(), limits, gates, dh, rBytes,
                              gates, tiles);
    if (!backward) {
      backward = findSchedule(op.getContext(), limits, gates, dh, rBytes,
                              gates, tiles, /*rInGlobal=*/true);
      if (backward)
        warnRInGlobal(op, limits, gates, dh, rBytes, "backward");
    }
    if (!backward)
      return diagnose(op, limits, gates, dh, rBytes, gates, 1, "backward");
    op->setAttr(kBackwardScheduleAttrName, *backward);
    return success();
  }

  /// From how many (head, batch tile) pairs a run is faster on `cluster`
  /// than on `grid`, a forward over the grid barrier, or nullopt if never.
  /// A cooperative launch holds floor(SMs / C) pairs of a grid schedule of
  /// C CTAs per head (one CTA per SM: the planner
  /// spreads a head over the fewest CTAs whose fragments fit the register
  /// file, so each takes most of an SM's registers), and more pairs take
  /// more launches, one after another; a wave of non-portable clusters of
  /// C' CTAs holds at most floor(SMs / C'). Per wave the two take about
  /// the same time (H200, B = 16, one wave each: LSTM 768 2.30 ms on the
  /// grid, 2.41 on the cluster; GRU 768 2.29 and 2.45), so the cluster pays
  /// from the first run that needs a second grid wave, if a cluster wave
  /// holds more pairs: LSTM 768 at B = 64 took 9.21 ms on the grid (four
  /// launches) and 4.81 on the cluster (docs/PERFORMANCE.md, fourteenth
  /// session).
  ///
  /// That parity was measured up to 180 KiB of R per CTA read back from
  /// shared memory every step (GRU 768); a cluster that reads more is not
  /// offered, as its wave may well be slower. (No example cell's comes
  /// above it on sm_90: GRU and CIFG-LSTM 768 read exactly 180 KiB.)
  static std::optional<int64_t> largeBatchThreshold(const ChipLimits &limits,
                                                    int64_t gates,
                                                    ScheduleAttr grid,
                                                    ScheduleAttr cluster) {
    constexpr int64_t kMaxMeasuredSharedRBytes = 180 * 1024;
    int64_t sharedR =
        cluster.getThreads() * cluster.getSharedRTiles() * ((gates + 1) / 2) * 16;
    if (sharedR > kMaxMeasuredSharedRBytes)
      return std::nullopt;
    int64_t gridPairs = limits.numSMs / grid.getCtasPerHead();
    int64_t clusterPairs = limits.numSMs / cluster.getCtasPerHead();
    if (gridPairs < 1 || clusterPairs <= gridPairs)
      return std::nullopt;
    return gridPairs + 1;
  }

  /// Whether the tensor-core kernels apply at all (element type, DH, batch
  /// tile, the mma option).
  bool mmaApplies(Type elementType, int64_t dh) {
    return mma && batchTile == kMmaBatchTile &&
           (elementType.isBF16() || elementType.isF16()) && dh % 16 == 0;
  }

  /// A K-slice request (forward-k-slices, backward-k-slices) that no
  /// tensor-core split meets: an error rather than a silent fallback to the
  /// scalar kernel.
  LogicalResult diagnoseKSlices(SequenceOp op, int64_t dh, int64_t slices,
                                StringRef kernel) {
    return op.emitOpError()
           << "cannot be planned for " << chip << " (" << kernel
           << "): no tensor-core split of the head dimension " << dh
           << " into CTAs with at least " << slices
           << " K slices fits the thread, register and shared-memory limits ("
           << kernel << "-k-slices=" << slices << ")";
  }

  /// R does not fit on chip: the kernel reads it from global memory (where
  /// it stays in L2 up to the L2's size) every step. Correct, but the step
  /// then waits on G x DH loads per thread; say so.
  void warnRInGlobal(SequenceOp op, const ChipLimits &limits, int64_t gates,
                     int64_t dh, int64_t rBytes, StringRef kernel) {
    auto rType = cast<RankedTensorType>(op.getR().getType());
    op.emitWarning() << "R of one head (" << gates << " x " << dh << " x "
                     << dh << ", " << rType.getElementType() << ", "
                     << formatBytes(gates * dh * dh * rBytes)
                     << ") does not fit in the shared memory of " << chip
                     << " (" << limits.numSMs << " SMs x "
                     << formatBytes(limits.maxSharedBytesPerBlock)
                     << "); the " << kernel
                     << " kernel reads it from global memory every step "
                        "(correct, but far slower than R on chip)";
  }

  /// Nothing fits, even with R in global memory: say what and by how much.
  /// Every CTA holds the exchange tile of the whole head dimension, so
  /// either that tile is too big for one block, or no split of the head
  /// gives CTAs within the thread limit and the SM count.
  LogicalResult diagnose(SequenceOp op, const ChipLimits &limits,
                         int64_t gates, int64_t dh, int64_t rBytes,
                         int64_t exchangeValues, int64_t tile,
                         StringRef kernel) {
    int64_t exchangeBytes = 2 * tile * exchangeValues * dh * 4;
    if (exchangeBytes > limits.maxSharedBytesPerBlock)
      return op.emitOpError()
             << "cannot be planned for " << chip << " (" << kernel
             << "): the exchange tile of one CTA (2 x " << tile
             << " batch row(s) x " << exchangeValues << " value(s) x " << dh
             << " x 4 B = " << formatBytes(exchangeBytes)
             << ") exceeds the " << formatBytes(limits.maxSharedBytesPerBlock)
             << " of shared memory of a block, even with R in global memory "
                "(over by "
             << formatBytes(exchangeBytes - limits.maxSharedBytesPerBlock)
             << ")";
    return op.emitOpError()
           << "cannot be planned for " << chip << " (" << kernel
           << "): no split of the head dimension " << dh << " into at most "
           << limits.numSMs << " CTAs gives CTAs of at most "
           << limits.maxThreadsPerBlock << " threads (" << tile
           << " batch rows per CTA) whose exchange tile ("
           << formatBytes(exchangeBytes) << ") fits "
           << formatBytes(limits.maxSharedBytesPerBlock)
           << " of shared memory";
  }
};

} // namespace
