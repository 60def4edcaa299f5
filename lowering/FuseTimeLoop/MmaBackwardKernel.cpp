//===- MmaBackwardKernel.cpp - the tensor-core persistent backward --------===//
//
// The backward on tensor cores (backward schedule rPlacement "registers"),
// with the recurrent matmul
//   dh_{t-1}[i, b] = sum_{k, j} R[k, j, i] dg_t[k, j, b]
// on tensor cores: D[16 x 8] += A[16 x 16] . B[16 x 8] (mma.sync m16n8k16,
// f32 accumulation) with A a tile of R^T (M = units i, K = (gate k, unit j))
// and B a tile of the exchanged gate gradients (K = (k, j), N = the CTA's 8
// batch rows). The scalar kernel (BackwardKernels.cpp) does the same sum
// with Gr x DH FMAs per thread and step out of shared memory: 4.3 ms for
// LSTM 64x12 at T = 1024, 4.2 us per step (H100, docs/PERFORMANCE.md).
//
// Layout choices:
//   * A head in one CTA: warp w owns units 16w .. 16w+15 (one m-tile; 2 DH
//     threads in all). A big head is spread over C CTAs of U units (grid x)
//     and each group of 16 units over S warps that share the K dimension
//     (threads = 2 U S): warp w serves group w mod (U/16) and K slice
//     w / (U/16). Element c of a thread belongs to slice c mod S, which
//     runs its adjoint and publishes its dg (up to four slices side by
//     side); all slices multiply, and their partial sums of dh meet in shared
//     memory after one more barrier. Each thread carries the gradients of
//     the states of all four elements from step to step (the other slices'
//     pass through its step untouched), or, where that fits no split
//     (mmaBackwardCarriesOwnedOnly: sLSTM 768), those of its own elements
//     alone. Across CTAs dg goes through the global
//     exchange buffer (f32, [2, B, NH, Gr, DH]) around one grid barrier, and
//     every thread then copies quads of it back into the shared dg rows, as
//     hi and lo (in a thread-block cluster: pulled from the other CTAs'
//     shared memory).
//     The accumulator fragment of lane (g = lane/4, q = lane%4) holds dh for
//     units 16w+2g and 16w+2g+1 (m-tile rows g and g+8; adjacent units, so
//     the thread's loads and stores come in pairs; with K slices 16w+g and
//     16w+g+8), batch rows 2q and 2q+1:
//     the thread runs the adjoint of exactly those four (unit, row)
//     elements, so dh never crosses threads. Only dg does, once per step.
//   * R^T's fragments do not change over the sequence: they are gathered
//     into registers before the time loop (Gr DH / 16 k-tiles x 4
//     registers). Their pairs run along j, which is not contiguous in R, so
//     they are two scalar loads each, not vector.load fragments the
//     cache-recurrent-weights pass would hoist: the builder places them.
//   * dg of the step's recurrent gate parts goes to shared memory in the
//     element type, where the schedule has recurrentParts = 2 split into
//     two parts, dg = hi + lo (lo the rounding error of hi), as the training
//     forward splits h: the matmul runs on both, so dh carries about 16
//     bits of dg, as the scalar kernel's f32 does. With one part (the
//     planner's choice for a smooth cell body) dg is rounded once and the
//     matmul is half as long. Layout [slot][row][part][k][j], rows padded by 8 elements (an
//     odd number of 16-byte units): the B fragments of two k-tiles are one
//     ldmatrix.x4 whose 8 row addresses per matrix hit different banks
//     (64 -> 16 loads per step at LSTM 64). Double-buffered: one barrier
//     per step. The stores and the barrier are what flashrnn.exchange lowers
//     to within one CTA; the op itself carries one (row, unit) element per
//     thread, this kernel publishes four.
//   * With the schedule's stagedStores (a head in one CTA), dgates and dwx
//     go through a stage at the end of the shared memory (StagedStores.h);
//     the previous step's rows are written out as 16-byte runs after this
//     step's adjoints (at the top of the step the copy sat on the adjoint's
//     dependent chain: LSTM 64 1.51 ms against 1.26).
//   * The saved values a step reads (dstates, the states of t - 1 and the
//     gate values) are loaded one step ahead, for the elements whose
//     adjoint the thread runs (all four, or with K slices its slice's): at
//     the top of the previous step where the register estimate with them
//     fits (mmaBackwardPrefetches), else, on sm_90, after the previous
//     step's adjoint, when its temporaries are dead (sLSTM with its four
//     states, LSTM 96), so that they overlap at least its matmul and
//     barrier.
//   * A one-CTA time loop with a short matmul (at most 8 k-tiles per warp)
//     is unrolled by two, so that the prefetched values need no copy into
//     the loop's carried registers (see the end of the function).
//
//===----------------------------------------------------------------------===//
#include "lowering/Common/ClusterMemory.h"
#include "lowering/Common/BackwardProgress.h"
#include "lowering/Common/GridBarrier.h"
#include "lowering/FuseTimeLoop/KernelBuilder.h"
#include "lowering/FuseTimeLoop/MmaEmitter.h"
#include "lowering/FuseTimeLoop/StagedStores.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::flashrnn;

gpu::GPUFuncOp mlir::flashrnn::buildMmaBackwardKernel(gpu::GPUModuleOp module,
                                                      StringRef name,
                                                      SequenceOp sequence,
                                                      CellOp cell,
                                                      func::FuncOp adjoint,
                                                      ScheduleAttr schedule,
                                                      bool publishSteps) {
  SequenceShape shape(sequence);
  Type e = shape.elementType;
  int64_t dh = shape.headDim;
  int64_t gr = shape.rGates;
  int64_t s = shape.states;
  CellLayout layout(cell);
  int64_t na = layout.numGateValues;
  KernelEmitter em(sequence.getContext(), sequence.getLoc(), e);
  OpBuilder &b = em.b;
  Location loc = em.loc;
  Type f32 = b.getF32Type();
  constexpr int64_t kRowsPerTile = MmaLanePosition::kRowsPerTile;
  MmaEmitter mma(em, e);
  // With rowSplit = 2 the warps come in two halves that run the same
  // matmul (warps w and w + U / 16 own the same units): half h adjoins batch
  // row 2q + h of the lane's two, so that a thread has one pair of elements
  // instead of two and every scheduler two warps instead of one. Element c
  // is unit c / P (of the lane's two) and the thread's row c % P, with P =
  // 2 / rowSplit rows per thread.
  const int64_t rowSplit = schedule.getRowSplit();
  const int64_t kRowsPerThread = 2 / rowSplit;
  const int64_t kElements = 2 * kRowsPerThread; // (unit, row) per thread
  // dg = hi + lo, or hi alone (the schedule's recurrentParts).
  const int64_t kParts = schedule.getRecurrentParts();
  const int64_t ctas = schedule.getCtasPerHead();
  const int64_t unitsPerCta = schedule.getUnitsPerCta();
  const int64_t groups = unitsPerCta / 16;
  const int64_t kSlices = schedule.getThreads() / (32 * groups * rowSplit);
  const int64_t kTiles = gr * dh / 16 / kSlices; // per warp
  // One row of the staged dg: kParts x Gr x DH elements and 8 of padding,
  // so that a row is 4 (mod 8) words and 8 rows start in different banks.
  const int64_t rowLength = kParts * gr * dh + 8;

  SmallVector<KernelArgSpec> args = backwardKernelArgs(b, shape, layout);
  gpu::GPUFuncOp func =
      em.createKernel(module, name, args, schedule, schedule.getThreads());
  // One CTA per SM is all the schedule needs; without this ptxas caps the
  // registers at 128 for two and spills R's fragments.
  func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                b.getI32IntegerAttr(1));
  const bool inCluster = schedule.getCluster();
  if (inCluster)
    func->setAttr(NVVM::NVVMDialect::getClusterDimAttrName(),
                  b.getDenseI32ArrayAttr({int32_t(ctas), 1, 1}));
  auto arg = [&](StringRef n) -> Value { return lookupKernelArg(func, n); };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto addc = [&](Value x, int64_t c) { return add(x, em.cst(c)); };

  // Where the thread is: warp w, lane (g, q); units unit0 and unit0 + 1 (K
  // slices: + 8); batch rows 2q and 2q + 1 (rowSplit = 2: one of them).
  // Element c is unit c / P and row c % P; with P = 2 it is accumulator
  // value c of the fragment.
  MmaLanePosition pos(em, func);
  Value head = pos.head, g = pos.g, q = pos.q;
  Value group = arith::RemUIOp::create(b, loc, pos.warp, em.cst(groups));
  Value slice = rowSplit == 1 ? Value(arith::DivUIOp::create(
                                    b, loc, pos.warp, em.cst(groups)))
                              : em.cst(0);
  Value cta = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value tile = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  Value lane = arith::RemUIOp::create(b, loc, pos.tid, em.cst(32));
  // Without K slices rows g and g + 8 of the warp's m-tile are units
  // 16w + 2g and 16w + 2g + 1: a thread's two units are adjacent, so that
  // what it loads and stores per (batch row, value) is one pair (8 bytes of
  // f32, 4 of bf16) instead of two scattered values. With K slices a thread
  // adjoins single elements, and units 16w + g and 16w + g + 8 keep a warp's
  // scalar loads of one row in 32 contiguous bytes (the pairs' order spread
  // them over 64: LSTM 256x3's backward 2.37 -> 2.46 ms, H200).
  const int64_t secondUnit = kSlices == 1 ? 1 : 8;
  Value firstUnitOfLane =
      kSlices == 1 ? Value(arith::MulIOp::create(b, loc, g, em.cst(2))) : g;
  Value unit0 =
      add(add(arith::MulIOp::create(b, loc, cta, em.cst(unitsPerCta)),
              arith::MulIOp::create(b, loc, group, em.cst(16))),
          firstUnitOfLane);
  // Counted as started at once: the runtime lets the reduction start only
  // when every CTA of the backward has (BackwardProgress.h).
  emitProgressStarted(b, loc, arg("progress"), pos.tid);
  SmallVector<Value> units = {unit0, addc(unit0, secondUnit)};
  SmallVector<Value> rows(pos.row), batch(pos.batch), valid(pos.valid),
      safeBatch(pos.safeBatch);
  // With rowSplit = 2: whether the thread is in the upper half of the warps
  // (row 2q + 1).
  Value upperWarps;
  if (rowSplit == 2) {
    upperWarps = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::uge, pos.warp, em.cst(groups));
    for (SmallVector<Value> *v : {&rows, &batch, &valid, &safeBatch})
      *v = {arith::SelectOp::create(b, loc, upperWarps, (*v)[1], (*v)[0])};
  }
  auto unitOf = [&](int64_t c) { return units[c / kRowsPerThread]; };
  auto rowOf = [&](int64_t c) { return c % kRowsPerThread; };

  Value dgs = em.sharedView({2, kRowsPerTile, rowLength}, e);
  Value dgsBase = sharedBaseAddress(b, loc, dgs);
  // The K slices' partial sums of dh, after dg: [slice][group][c][lane].
  Value partials =
      kSlices > 1
          ? em.sharedView({kSlices, groups, kElements, 32}, f32,
                          2 * kRowsPerTile * rowLength *
                              (e.getIntOrFloatBitWidth() / 8))
          : Value();
  // With stagedStores, the step's gate gradients (dgates in f32, dwx in the
  // element type) go through a stage at the end of the shared memory and
  // leave a step later as 16-byte runs (StagedStores.h) instead of 4 x
  // (NA + Gw) scattered stores per thread.
  std::optional<StagedRowStores> stager;
  SmallVector<int64_t> dwxStream(cell.getGates().size(), -1);
  if (schedule.getStagedStores()) {
    SmallVector<StagedStream> streams;
    for (int64_t gv = 0; gv < na; ++gv)
      streams.push_back({arg("dgates"), [&, gv](Value bt, Value t, Value u) {
                           return SmallVector<Value>{bt, t, em.cst(gv), head,
                                                     u};
                         }});
    for (size_t k = 0; k < dwxStream.size(); ++k) {
      if (layout.wxRow[k] < 0)
        continue;
      int64_t row = layout.wxRow[k];
      dwxStream[k] = streams.size();
      streams.push_back({arg("dwx"), [&, row](Value bt, Value t, Value u) {
                           return SmallVector<Value>{bt, t, em.cst(row), head,
                                                     u};
                         }});
    }
    SmallVector<Type> types;
    for (const StagedStream &st : streams)
      types.push_back(
          cast<MemRefType>(st.memref.getType()).getElementType());
    int64_t stageBytes = stagedStoreBytes(types, kRowsPerTile, unitsPerCta);
    stager.emplace(em, streams, kRowsPerTile, unitsPerCta,
                   schedule.getSharedBytes() - stageBytes,
                   schedule.getThreads(), pos.tid,
                   arith::MulIOp::create(b, loc, cta, em.cst(unitsPerCta)),
                   pos.tileStart, pos.batchSize);
  }
  Value unitBase = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, group, em.cst(16)),
      firstUnitOfLane);
  auto unitInCta = [&](int64_t c) -> Value {
    return c / kRowsPerThread ? addc(unitBase, secondUnit) : unitBase;
  };

  // The warp's first element of K (gate k, unit j flattened), 16 per k-tile.
  Value sliceK = arith::MulIOp::create(b, loc, slice, em.cst(16 * kTiles));
  // R^T's A fragments, before the time loop: [kt][4 registers]. Register
  // pair p of k-tile kt holds R[k, j, i], R[k, j + 1, i] for unit i =
  // 16w + 2g (+1 for pairs 1, 3; with K slices 16w + g, +8) and
  // j = 16kt' + 2q (+8 for pairs 2, 3).
  auto pair = [&](Value k, Value j, Value i) -> Value {
    Value lo = memref::LoadOp::create(b, loc, arg("r"),
                                      ValueRange{k, head, j, i});
    Value hi = memref::LoadOp::create(
        b, loc, arg("r"), ValueRange{k, head, addc(j, 1), i});
    Value v = vector::FromElementsOp::create(b, loc, VectorType::get({2}, e),
                                             ValueRange{lo, hi});
    if (!e.isBF16())
      return v;
    Value bits = vector::BitCastOp::create(
        b, loc, VectorType::get({1}, b.getI32Type()), v);
    return vector::ExtractOp::create(b, loc, bits, ArrayRef<int64_t>{0});
  };
  Value twoQ = arith::MulIOp::create(b, loc, q, em.cst(2));
  SmallVector<Value> rFrag;
  for (int64_t kt = 0; kt < kTiles; ++kt) {
    // Gate k and unit j0 of the k-tile's first element of K.
    Value first = addc(sliceK, 16 * kt);
    Value k = arith::DivUIOp::create(b, loc, first, em.cst(dh));
    Value j0 = arith::RemUIOp::create(b, loc, first, em.cst(dh));
    Value j = add(twoQ, j0), j8 = addc(j, 8);
    rFrag.push_back(pair(k, j, units[0]));
    rFrag.push_back(pair(k, j, units[1]));
    rFrag.push_back(pair(k, j8, units[0]));
    rFrag.push_back(pair(k, j8, units[1]));
  }

  // What step `tt` reads, per element: dstates (S), the states of step
  // tt - 1 (S; s0 at tt = 0) and the saved gate values (NA).
  const int64_t perElement = 2 * s + na;
  // The elements whose adjoint this thread runs, as (batch row, unit) sites:
  // all four, or with K slices those of its slice, element c = slice + jS
  // for j < mmaBackwardOwnedElements(S). A site past element 3 (slices
  // 4 .. S-1 own none; with S = 3 slices 1 and 2 own one element, not two)
  // repeats element 3's loads, harmless and never read.
  // Each site also keeps its element index (c, clamped to 3) and whether
  // it is a real element in the batch (`stores`: c = slice + jS < 4 and its
  // row is valid), which guards the store of its initial-state gradient.
  struct Site {
    Value batch, unit, element, stores;
  };
  SmallVector<Site> owned;
  if (kSlices == 1) {
    for (int64_t c = 0; c < kElements; ++c)
      owned.push_back({safeBatch[rowOf(c)], unitOf(c), em.cst(c),
                       valid[rowOf(c)]});
  } else {
    for (int64_t j = 0; j < mmaBackwardOwnedElements(kSlices); ++j) {
      Value unclamped = addc(slice, j * kSlices);
      Value c = arith::MinUIOp::create(b, loc, unclamped,
                                       em.cst(kElements - 1));
      Value secondRow = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(b, loc, c, em.cst(2)), em.cst(1));
      Value secondHalf = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                               c, em.cst(2));
      Value real = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         unclamped, em.cst(kElements));
      owned.push_back(
          {arith::SelectOp::create(b, loc, secondRow, safeBatch[1],
                                   safeBatch[0]),
           arith::SelectOp::create(b, loc, secondHalf, units[1], units[0]), c,
           arith::AndIOp::create(
               b, loc, real,
               arith::SelectOp::create(b, loc, secondRow, valid[1],
                                       valid[0]))});
    }
  }
  // The elements whose state gradients the thread carries from step to
  // step: all four, or with K slices, where all four do not fit the
  // register estimate, only its owned ones (the others' adjoints run in
  // other warps; carrying them took sLSTM 768 16 registers over the
  // budget and kept its backward off the tensor cores).
  StringRef chip = schedule.getChip().getValue();
  const bool ownedOnly = mmaBackwardCarriesOwnedOnly(
      chip, gr, dh, s, na, kSlices, schedule.getThreads());
  SmallVector<Site> carriedSites;
  if (ownedOnly)
    carriedSites = owned;
  else
    for (int64_t c = 0; c < kElements; ++c)
      carriedSites.push_back({safeBatch[rowOf(c)], unitOf(c), em.cst(c),
                              Value()});
  const int64_t kCarried = int64_t(carriedSites.size());
  // The next step's values loaded at the top of this step where the
  // register estimate with them fits (mmaBackwardPrefetches); else, on
  // sm_90, the late one (ptxas for sm_80 spilled with it: GRU 128, 4 bytes);
  // else none. Split kernels prefetch their owned elements only (before,
  // they loaded in the step: the two-slice LSTM 64 backward spent 48% of
  // its stall samples waiting for them, H200).
  const bool prefetch =
      mmaBackwardPrefetches(chip, gr, dh, s, na, kSlices,
                            schedule.getThreads(), rowSplit, ownedOnly);
  const bool latePrefetch = !prefetch && chip >= StringRef("sm_90");
  auto loadSites = [&](Value tt, ArrayRef<Site> sites) {
    SmallVector<Value> values;
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tt, em.cst(0));
    Value tm1 = arith::SubIOp::create(
        b, loc, arith::MaxUIOp::create(b, loc, tt, em.cst(1)), em.cst(1));
    for (const Site &site : sites) {
      Value bi = site.batch, u = site.unit;
      for (int64_t st = 0; st < s; ++st)
        values.push_back(
            em.loadF32(arg("dstates"), {em.cst(st), bi, tt, head, u}));
      auto prev = scf::IfOp::create(b, loc, SmallVector<Type>(s, f32), first,
                                    /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPointToStart(prev.thenBlock());
        SmallVector<Value> fromS0;
        for (int64_t st = 0; st < s; ++st)
          fromS0.push_back(
              em.loadF32(arg("s0"), {em.cst(st), bi, head, u}));
        scf::YieldOp::create(b, loc, fromS0);
        b.setInsertionPointToStart(prev.elseBlock());
        SmallVector<Value> saved;
        for (int64_t st = 0; st < s; ++st)
          saved.push_back(memref::LoadOp::create(
              b, loc, arg("saved_states"),
              ValueRange{em.cst(st), bi, tm1, head, u}));
        scf::YieldOp::create(b, loc, saved);
      }
      llvm::append_range(values, prev.getResults());
      for (int64_t gv = 0; gv < na; ++gv)
        values.push_back(memref::LoadOp::create(
            b, loc, arg("saved_gates"),
            ValueRange{bi, tt, em.cst(gv), head, u}));
    }
    return values;
  };
  // Without K slices the thread runs all four adjoints, and elements r and
  // r + 2 are units u0 and u0 + 1 of batch row r: each of their values is
  // one 2-element load (16 loads per step at LSTM instead of 32). The
  // states of t - 1 come from s0 at t = 0 by a select, not a branch: both
  // pairs are loaded, and s0's stays in L1.
  auto loadPair = [&](Value memref, ValueRange indices) -> Value {
    Type t = cast<MemRefType>(memref.getType()).getElementType();
    auto load = vector::LoadOp::create(b, loc, VectorType::get({2}, t),
                                       memref, indices);
    load.setAlignment(2 * (t.getIntOrFloatBitWidth() / 8));
    if (t.isF32())
      return load;
    return arith::ExtFOp::create(b, loc, VectorType::get({2}, f32),
                                 load.getResult());
  };
  auto loadPairedStep = [&](Value tt) {
    SmallVector<Value> values(kElements * perElement);
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tt, em.cst(0));
    Value tm1 = arith::SubIOp::create(
        b, loc, arith::MaxUIOp::create(b, loc, tt, em.cst(1)), em.cst(1));
    Value u = units[0];
    for (int64_t r = 0; r < kRowsPerThread; ++r) {
      Value bi = safeBatch[r];
      auto put = [&](int64_t index, Value pair) {
        values[r * perElement + index] =
            vector::ExtractOp::create(b, loc, pair, ArrayRef<int64_t>{0});
        values[(r + kRowsPerThread) * perElement + index] =
            vector::ExtractOp::create(b, loc, pair, ArrayRef<int64_t>{1});
      };
      for (int64_t st = 0; st < s; ++st)
        put(st, loadPair(arg("dstates"), {em.cst(st), bi, tt, head, u}));
      for (int64_t st = 0; st < s; ++st) {
        Value fromS0 = loadPair(arg("s0"), {em.cst(st), bi, head, u});
        Value saved =
            loadPair(arg("saved_states"), {em.cst(st), bi, tm1, head, u});
        put(s + st, arith::SelectOp::create(b, loc, first, fromS0, saved));
      }
      for (int64_t gv = 0; gv < na; ++gv)
        put(2 * s + gv,
            loadPair(arg("saved_gates"), {bi, tt, em.cst(gv), head, u}));
    }
    return values;
  };
  auto loadStep = [&](Value tt) {
    return kSlices == 1 ? loadPairedStep(tt) : loadSites(tt, owned);
  };

  // Across CTAs: the grid barrier of step `it`, then every thread copies
  // quads of 4 units of the tile's dg rows (f32, global) into the shared
  // rows, as hi and lo (or hi alone with one part).
  auto gatherGradients = [&](Value it, Value hx, Value slot, Value tile) {
    emitGroupBarrier(b, loc, func, schedule, head, tile, it);
    Value batchSize = buildBatchSize(b, loc, func);
    Value begin = arith::IndexCastOp::create(
        b, loc, b.getIndexType(), arg("batch_begin"));
    Value tileStart = add(begin, arith::MulIOp::create(b, loc, tile,
                                                       em.cst(kRowsPerTile)));
    auto quadType = VectorType::get({4}, f32);
    auto halfType = VectorType::get({4}, e);
    int64_t quadsPerGate = dh / 4, quadsPerRow = gr * quadsPerGate;
    int64_t quads = kRowsPerTile * quadsPerRow;
    int64_t threads = schedule.getThreads();
    // Quad `idx`: its load, and its store (hi and lo) once loaded.
    struct Quad {
      Value r, column, value;
    };
    auto loadQuad = [&](Value idx) -> Quad {
      Value r = arith::DivUIOp::create(b, loc, idx, em.cst(quadsPerRow));
      Value rest = arith::RemUIOp::create(b, loc, idx, em.cst(quadsPerRow));
      Value k = arith::DivUIOp::create(b, loc, rest, em.cst(quadsPerGate));
      Value j = arith::MulIOp::create(
          b, loc, arith::RemUIOp::create(b, loc, rest, em.cst(quadsPerGate)),
          em.cst(4));
      // Rows past the batch read row 0 (their gradients are never
      // stored).
      Value bi = add(tileStart, r);
      Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                           bi, batchSize);
      Value safe = arith::SelectOp::create(b, loc, inside, bi, em.cst(0));
      auto quad = vector::LoadOp::create(b, loc, quadType, hx,
                                         ValueRange{slot, safe, head, k, j});
      quad.setAlignment(16);
      return {r, add(arith::MulIOp::create(b, loc, k, em.cst(dh)), j), quad};
    };
    auto storeQuad = [&](const Quad &quad) {
      Value hi = arith::TruncFOp::create(b, loc, halfType, quad.value);
      vector::StoreOp::create(b, loc, hi, dgs,
                              ValueRange{slot, quad.r, quad.column})
          .setAlignment(8);
      if (kParts == 1)
        return;
      Value lo = arith::TruncFOp::create(
          b, loc, halfType,
          arith::SubFOp::create(b, loc, quad.value,
                                arith::ExtFOp::create(b, loc, quadType, hi)));
      vector::StoreOp::create(b, loc, lo, dgs,
                              ValueRange{slot, quad.r,
                                         addc(quad.column, gr * dh)})
          .setAlignment(8);
    };
    // A loop of batches of up to 4 quads, all 4 loads issued before the
    // stores so that their L2 latencies overlap. Fully unrolled, the
    // quads' loop-invariant addresses were hoisted out of the time loop
    // and held in registers (LSTM 768: a 4-byte spill); one quad per
    // iteration serialised 24 L2 round trips per step.
    int64_t full = quads / threads;
    int64_t batchQuads = full % 4 == 0 ? 4 : full % 2 == 0 ? 2 : 1;
    auto loop = scf::ForOp::create(b, loc, em.cst(0), em.cst(full / batchQuads),
                                   em.cst(1));
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(loop.getBody());
      Value first = arith::MulIOp::create(b, loc, loop.getInductionVar(),
                                          em.cst(batchQuads * threads));
      SmallVector<Quad> batchOf;
      for (int64_t i = 0; i < batchQuads; ++i)
        batchOf.push_back(
            loadQuad(add(pos.tid, addc(first, i * threads))));
      for (const Quad &quad : batchOf)
        storeQuad(quad);
    }
    if (quads % threads != 0) {
      Value idx = addc(pos.tid, full * threads);
      em.ifValid(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, idx,
                                       em.cst(quads)),
                 [&] { storeQuad(loadQuad(idx)); });
    }
  };

  // In a cluster: one cluster barrier (each CTA's slice 0 has written the
  // dg of its units into its own rows), then every thread copies 16-byte
  // runs of the other CTAs' units out of their shared memory (mapa,
  // ld.shared::cluster) into its own rows; run e of the tile is row, part
  // and gate e / (DH / 8), units 8 (e % (DH / 8)) .. + 7, owned by CTA
  // unit / U.
  auto pullGradients = [&](Value slot) {
    NVVM::ClusterArriveOp::create(b, loc, b.getUnitAttr());
    NVVM::ClusterWaitOp::create(b, loc, b.getUnitAttr());
    auto runType = VectorType::get({8}, e);
    Value base = sharedBaseAddress(b, loc, dgs);
    int64_t runsPerLine = dh / 8;
    int64_t runs = kRowsPerTile * kParts * gr * runsPerLine;
    int64_t threads = schedule.getThreads();
    int64_t bytes = e.getIntOrFloatBitWidth() / 8;
    auto copy = [&](Value idx) {
      Value line = arith::DivUIOp::create(b, loc, idx, em.cst(runsPerLine));
      Value j = arith::MulIOp::create(
          b, loc, arith::RemUIOp::create(b, loc, idx, em.cst(runsPerLine)),
          em.cst(8));
      // line = (row, part and gate): row line / (P Gr), column
      // (line mod P Gr) DH + j, with P = kParts.
      Value r = arith::DivUIOp::create(b, loc, line, em.cst(kParts * gr));
      Value column = add(
          arith::MulIOp::create(
              b, loc, arith::RemUIOp::create(b, loc, line, em.cst(kParts * gr)),
              em.cst(dh)),
          j);
      Value owner = arith::DivUIOp::create(b, loc, j, em.cst(unitsPerCta));
      Value rank =
          arith::IndexCastOp::create(b, loc, b.getI32Type(), owner);
      Value offset = add(arith::MulIOp::create(
                             b, loc,
                             add(arith::MulIOp::create(b, loc, slot,
                                                       em.cst(kRowsPerTile)),
                                 r),
                             em.cst(rowLength)),
                         column);
      Value at = sharedByteAddress(
          b, loc, base, arith::MulIOp::create(b, loc, offset, em.cst(bytes)));
      // The CTA's own units are in place: copying them onto themselves
      // would race with the other CTAs' reads of them.
      Value other =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, owner, cta);
      em.ifValid(other, [&] {
        Value remote = clusterAddress(b, loc, at, rank);
        Value run = LLVM::LoadOp::create(b, loc, runType, remote, 16);
        vector::StoreOp::create(b, loc, run, dgs,
                                ValueRange{slot, r, column})
            .setAlignment(16);
      });
    };
    int64_t full = runs / threads;
    auto loop = scf::ForOp::create(b, loc, em.cst(0), em.cst(full), em.cst(1));
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(loop.getBody());
      copy(add(pos.tid, arith::MulIOp::create(b, loc, loop.getInductionVar(),
                                              em.cst(threads))));
    }
    if (runs % threads != 0) {
      Value idx = addc(pos.tid, full * threads);
      em.ifValid(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, idx,
                                       em.cst(runs)),
                 [&] { copy(idx); });
    }
  };

  SmallVector<Value> constants;
  for (ConstantAttr c : cell.getConstants().getAsRange<ConstantAttr>())
    constants.push_back(em.cstF32(c.getValue().getValueAsDouble()));

  // Loop-carried: the gradients of each element's states from the later
  // steps, then the prefetched values of the next step.
  Value steps = memref::DimOp::create(b, loc, arg("dstates"), 2);
  Value lastStep = arith::SubIOp::create(b, loc, steps, em.cst(1));
  SmallVector<Value> initial;
  for (const Site &site : carriedSites)
    for (int64_t st = 0; st < s; ++st)
      initial.push_back(
          em.loadF32(arg("dlast"), {em.cst(st), site.batch, head, site.unit}));
  if (prefetch || latePrefetch)
    llvm::append_range(initial, loadStep(lastStep));

  auto gates = llvm::to_vector(cell.getGates().getAsRange<GateAttr>());
  // With publishSteps the steps' progress goes out every kProgressPeriod
  // steps (BackwardProgress.h), in one of two places, each measured as the
  // cheaper for its kernels (H200, B = 16, backward ms, against no
  // publication; docs/PERFORMANCE.md, eleventh session):
  //  * a head in one CTA without K slices, one warp per group of units and
  //    the full prefetch: an outer loop over periods, thread 0 publishing
  //    between them, so that the step stays one block (LSTM 64 1.001 ->
  //    1.014, GRU 0.900 -> 0.902, CIFG-LSTM 0.909 -> 0.886); published from
  //    inside the step (a branch after the barrier) they took 1.135, 1.030
  //    and 1.011;
  //  * every other kernel: from inside the step (LSTM 256 2.360 -> 2.386,
  //    LSTM 768 5.86 either way, sLSTM 64 with two warps per group 2.002 ->
  //    2.003); between periods they took 2.948, 5.86 and 2.132.
  const bool periodic = publishSteps && ctas == 1 && kSlices == 1 &&
                        rowSplit == 1 && prefetch;
  const bool inStep = publishSteps && !periodic;
  scf::ForOp periodLoop;
  Value firstStep = em.cst(0), endStep = steps;
  ValueRange loopInit = initial;
  std::optional<OpBuilder::InsertionGuard> periodGuard;
  if (periodic) {
    periodLoop = scf::ForOp::create(b, loc, em.cst(0), steps,
                                    em.cst(kProgressPeriod), initial);
    periodGuard.emplace(b);
    b.setInsertionPointToStart(periodLoop.getBody());
    firstStep = periodLoop.getInductionVar();
    endStep = arith::MinUIOp::create(b, loc, steps,
                                     addc(firstStep, kProgressPeriod));
    loopInit = periodLoop.getRegionIterArgs();
  }
  auto timeLoop =
      scf::ForOp::create(b, loc, firstStep, endStep, em.cst(1), loopInit);
  timeLoop->setAttr(kTimeLoopAttrName, b.getUnitAttr());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(timeLoop.getBody());
    Value it = timeLoop.getInductionVar();
    ValueRange carried = timeLoop.getRegionIterArgs();
    ValueRange dsNext = carried.take_front(kCarried * s);
    Value t = arith::SubIOp::create(b, loc, lastStep, it);
    Value slot = arith::RemUIOp::create(b, loc, it, em.cst(2));

    // This step's values were loaded by the previous step. The next step's
    // (t - 1; at t = 0 a harmless reload of step 0) are loaded first, so
    // that their latency hides behind the whole step, or, where the
    // registers do not allow that, after this step's adjoint (whose
    // temporaries are dead by then), behind its matmul and barrier.
    SmallVector<Value> stepValues(carried.begin() + kCarried * s,
                                  carried.end());
    if (!prefetch && !latePrefetch)
      stepValues = loadStep(t);
    Value ahead = arith::SubIOp::create(
        b, loc, arith::MaxUIOp::create(b, loc, t, em.cst(1)), em.cst(1));
    SmallVector<Value> aheadValues;
    if (prefetch)
      aheadValues = loadStep(ahead);

    // Per element: the adjoint of the body, the step's stores, and dg of
    // the recurrent parts published: into shared memory (hi, and lo) within
    // one CTA, into the global exchange buffer (f32) across CTAs.
    Value hx = ctas > 1 && !inCluster ? arg("h_exchange") : Value();
    // The adjoint of element c: the gradients of its previous states, then
    // of its gate values.
    // `later` is the element's carried gradient of its states.
    auto adjointOf = [&](ArrayRef<Value> own,
                         ArrayRef<Value> later) -> SmallVector<Value> {
      SmallVector<Value> ds;
      for (int64_t st = 0; st < s; ++st)
        ds.push_back(arith::AddFOp::create(b, loc, later[st], own[st]));
      return applyAdjoint(em, adjoint, own.slice(s, s), own.slice(2 * s, na),
                          constants, ds);
    };
    // The step's stores of a run of one element, or of two at adjacent units
    // (`unit`, `unit` + 1; the pairs without K slices), in the thread's row
    // `r`: the staged gate gradients, then dg published into shared memory
    // (hi, and lo) within one CTA or into the global exchange buffer (f32)
    // across CTAs. A run of two is one 2-element store per value.
    auto publish = [&](ArrayRef<ArrayRef<Value>> run, int64_t r, Value unit,
                       Value unitCta) {
      const bool pair = run.size() == 2;
      Value bi = batch[r];
      // Value `value` of the run's elements: a scalar, or a 2-vector.
      auto runOf = [&](int64_t value) -> Value {
        if (!pair)
          return run[0][value];
        return vector::FromElementsOp::create(
            b, loc, VectorType::get({2}, f32),
            ValueRange{run[0][value], run[1][value]});
      };
      auto store = [&](Value v, Value memref, ValueRange indices,
                       int64_t bytes) {
        if (!pair) {
          memref::StoreOp::create(b, loc, v, memref, indices);
          return;
        }
        vector::StoreOp::create(b, loc, v, memref, indices)
            .setAlignment(2 * bytes);
      };
      auto stage = [&](int64_t stream, int64_t value) {
        SmallVector<Value, 2> values;
        for (ArrayRef<Value> dGates : run)
          values.push_back(dGates[value]);
        stager->stage(stream, slot, rows[r], unitCta, values);
      };
      if (stager) {
        // Every row is staged; the copy skips the rows past B.
        for (int64_t gv = 0; gv < na; ++gv)
          stage(gv, gv);
        for (size_t k = 0; k < dwxStream.size(); ++k)
          if (dwxStream[k] >= 0)
            stage(dwxStream[k], layout.inputValue[k]);
      }
      em.ifValid(valid[r], [&] {
        if (!stager)
          for (auto [i, dGates] : llvm::enumerate(run))
            storeGateGradients(em, cell, layout, dGates, arg("dgates"),
                               arg("dwx"), bi, t, head, addc(unit, i));
        for (size_t k = 0; hx && k < gates.size(); ++k)
          if (layout.rRow[k] >= 0)
            store(runOf(layout.recurrentValue[k]), hx,
                  ValueRange{slot, bi, head, em.cst(layout.rRow[k]), unit},
                  4);
      });
      Type half = pair ? Type(VectorType::get({2}, e)) : e;
      int64_t halfBytes = e.getIntOrFloatBitWidth() / 8;
      for (size_t k = 0; !hx && k < gates.size(); ++k) {
        if (layout.rRow[k] < 0)
          continue;
        Value v = runOf(layout.recurrentValue[k]);
        Value hi = arith::TruncFOp::create(b, loc, half, v);
        int64_t column = layout.rRow[k] * dh;
        store(hi, dgs, ValueRange{slot, rows[r], addc(unit, column)},
              halfBytes);
        if (kParts == 1)
          continue;
        Value lo = arith::TruncFOp::create(
            b, loc, half,
            arith::SubFOp::create(
                b, loc, v, arith::ExtFOp::create(b, loc, v.getType(), hi)));
        store(lo, dgs, ValueRange{slot, rows[r], addc(unit, gr * dh + column)},
              halfBytes);
      }
    };
    auto adjointElement = [&](int64_t c, ArrayRef<Value> own,
                              ArrayRef<Value> later) -> SmallVector<Value> {
      SmallVector<Value> grads = adjointOf(own, later);
      publish({ArrayRef<Value>(grads).drop_front(s)}, rowOf(c), unitOf(c),
              unitInCta(c));
      return SmallVector<Value>(grads.begin(), grads.begin() + s);
    };
    SmallVector<Value> dsPrev;
    if (kSlices == 1) {
      // Elements r and r + P (the thread's row r), then their pair of
      // stores.
      SmallVector<SmallVector<Value>> grads(kElements);
      for (int64_t r = 0; r < kRowsPerThread; ++r) {
        for (int64_t c : {r, r + kRowsPerThread})
          grads[c] = adjointOf(
              ArrayRef<Value>(stepValues).slice(c * perElement, perElement),
              SmallVector<Value>(dsNext.slice(c * s, s)));
        publish({ArrayRef<Value>(grads[r]).drop_front(s),
                 ArrayRef<Value>(grads[r + kRowsPerThread]).drop_front(s)},
                r, units[0], unitBase);
      }
      for (int64_t c = 0; c < kElements; ++c)
        llvm::append_range(dsPrev, ArrayRef<Value>(grads[c]).take_front(s));
    } else {
      // With K slices, element c belongs to slice c mod S, as its owned
      // element c / S: the four adjoints run side by side in up to four
      // warps of the group. Element c's branch adjoins `later` (its
      // carried state gradients) in its slice and passes it on elsewhere.
      auto adjointInItsSlice = [&](int64_t c, ArrayRef<Value> later) {
        Value mine = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           slice, em.cst(c % kSlices));
        auto ifMine = scf::IfOp::create(b, loc, SmallVector<Type>(s, f32),
                                        mine, /*withElseRegion=*/true);
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPointToStart(ifMine.thenBlock());
        scf::YieldOp::create(
            b, loc,
            adjointElement(c,
                           ArrayRef<Value>(stepValues)
                               .slice((c / kSlices) * perElement, perElement),
                           later));
        b.setInsertionPointToStart(ifMine.elseBlock());
        scf::YieldOp::create(b, loc, later);
        return SmallVector<Value>(ifMine.getResults());
      };
      if (!ownedOnly) {
        for (int64_t c = 0; c < kElements; ++c)
          llvm::append_range(
              dsPrev, adjointInItsSlice(
                          c, SmallVector<Value>(dsNext.slice(c * s, s))));
      } else {
        // Only the owned elements carried: owned element j's (c = slice +
        // jS) gradient goes through the branches of elements jS .. jS +
        // S - 1, each taking the previous one's result.
        for (int64_t j = 0; j < kCarried; ++j) {
          SmallVector<Value> later(dsNext.slice(j * s, s));
          for (int64_t c = j * kSlices;
               c < std::min<int64_t>((j + 1) * kSlices, kElements); ++c)
            later = adjointInItsSlice(c, later);
          llvm::append_range(dsPrev, later);
        }
      }
    }
    if (latePrefetch)
      aheadValues = loadStep(ahead);
    // The previous iteration's (step t + 1) staged rows, after this step's
    // adjoints (off their dependent chain): written before the previous
    // barrier; the next writes into that slot come after this step's.
    if (stager) {
      Value previousSlot = arith::SubIOp::create(b, loc, em.cst(1), slot);
      Value laterStep = addc(t, 1);
      Value notFirst = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ugt, it, em.cst(0));
      stager->flush(previousSlot, laterStep, notFirst);
    }
    if (inCluster)
      pullGradients(slot);
    else if (ctas > 1)
      gatherGradients(it, hx, slot, tile);
    gpu::BarrierOp::create(b, loc);
    // Steps T - 1 .. t + 1 are stored (their staged rows flushed before the
    // barrier): every kProgressPeriod steps, the reduction may take them.
    if (inStep)
      emitProgressPublish(
          b, loc, func, schedule, head, tile, cta, pos.tid, it,
          arith::AndIOp::create(
              b, loc,
              arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::eq,
                  arith::RemUIOp::create(b, loc, it, em.cst(kProgressPeriod)),
                  em.cst(0)),
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, it,
                                    em.cst(0))));

    // dh_{t-1} = R^T dg: independent K chains (k-tile kt in chain kt mod
    // n), summed at the end: two per part with two parts, four with one,
    // so that the accumulators stay 16 registers and the dependent chain of
    // mma latencies is a quarter of the k-tiles (H200, LSTM 64x12, B = 16:
    // backward 1.162 -> 1.095 ms; GRU 0.987 -> 0.993, Elman 0.623 either
    // way; docs/PERFORMANCE.md, ninth session).
    // The B fragments (dg of batch row g, inputs 2q (+8) of each k-tile)
    // come by ldmatrix, one per two k-tiles instead of four 32-bit loads:
    // every row and part starts 16-byte aligned, and a row is an odd number
    // of 16-byte units long, so the 8 rows of a matrix hit different banks.
    int64_t chainsPerPart = std::min<int64_t>(kParts == 1 ? 4 : 2, kTiles);
    int64_t chains = chainsPerPart * kParts;
    SmallVector<SmallVector<Value>> acc(chains,
                                        SmallVector<Value>(4, em.cstF32(0.0)));
    Value dgTile = sharedByteAddress(
        b, loc, dgsBase,
        arith::MulIOp::create(b, loc, slot,
                              em.cst(kRowsPerTile * rowLength *
                                     (e.getIntOrFloatBitWidth() / 8))));
    for (int64_t part = 0; part < kParts; ++part) {
      SmallVector<Value> dgFrag = mma.ldMatrixPairs(
          dgTile, lane, addc(sliceK, part * gr * dh), rowLength, kTiles);
      for (int64_t kt = 0; kt < kTiles; ++kt) {
        SmallVector<Value> bFrag = {dgFrag[2 * kt], dgFrag[2 * kt + 1]};
        int64_t chain = chainsPerPart * part + kt % chainsPerPart;
        acc[chain] = mma.mma(ArrayRef<Value>(rFrag).slice(4 * kt, 4), bFrag,
                             acc[chain]);
      }
    }

    // The accumulator fragment's four values (unit half u, row r at 2u +
    // r), summed over the chains; with rowSplit = 2 each half keeps its
    // row's two.
    SmallVector<Value> sums;
    for (int64_t f = 0; f < 4; ++f) {
      Value sum = acc[0][f];
      for (int64_t ch = 1; ch < chains; ++ch)
        sum = arith::AddFOp::create(b, loc, sum, acc[ch][f]);
      sums.push_back(sum);
    }
    // dh of each carried element.
    SmallVector<Value> dhOf;
    if (kSlices == 1) {
      for (int64_t c = 0; c < kElements; ++c)
        dhOf.push_back(rowSplit == 1
                           ? sums[c]
                           : Value(arith::SelectOp::create(
                                 b, loc, upperWarps, sums[2 * c + 1],
                                 sums[2 * c])));
    } else {
      // With K slices every slice leaves its partial sums, and each owned
      // element's slice adds them all up (in slice order) for it alone.
      for (int64_t c = 0; c < kElements; ++c)
        memref::StoreOp::create(b, loc, sums[c], partials,
                                ValueRange{slice, group, em.cst(c), lane});
      gpu::BarrierOp::create(b, loc);
      for (const Site &site : carriedSites)
        dhOf.push_back(addPartialSums(em, em.cstF32(0.0), partials, 0,
                                      kSlices, group, site.element, lane));
    }
    SmallVector<Value> next(dsPrev);
    for (int64_t j = 0; j < kCarried; ++j) {
      Value &d = next[j * s + layout.recurrentState];
      d = arith::AddFOp::create(b, loc, d, dhOf[j]);
    }
    llvm::append_range(next, aheadValues);
    scf::YieldOp::create(b, loc, next);
  }
  if (periodic) {
    // The period's last step `it` passed its barrier after every thread had
    // stored steps T - 1 .. T - it (the flush of step t + 1 comes before
    // the barrier of step t).
    emitProgressPublish(b, loc, func, schedule, head, tile, cta, pos.tid,
                        arith::SubIOp::create(b, loc, endStep, em.cst(1)),
                        arith::ConstantIntOp::create(b, loc, 1, 1));
    scf::YieldOp::create(b, loc, timeLoop.getResults());
    b.setInsertionPointAfter(periodLoop);
  }
  scf::ForOp stepsLoop = periodic ? periodLoop : timeLoop;

  // The last iteration's (step 0) staged rows: its barrier followed them.
  if (stager)
    stager->flush(arith::RemUIOp::create(b, loc, lastStep, em.cst(2)),
                  em.cst(0),
                  arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                        steps, em.cst(0)));
  // Every step is stored.
  gpu::BarrierOp::create(b, loc);
  emitProgressPublish(b, loc, func, schedule, head, tile, cta, pos.tid, steps,
                      arith::ConstantIntOp::create(b, loc, 1, 1));

  if (ownedOnly) {
    for (auto [j, site] : llvm::enumerate(carriedSites))
      em.ifValid(site.stores, [&] {
        for (int64_t st = 0; st < s; ++st)
          em.storeF32(stepsLoop.getResult(j * s + st), arg("ds0"),
                      {em.cst(st), site.batch, head, site.unit});
      });
  } else {
    for (int64_t c = 0; c < kElements; ++c)
      em.ifValid(kSlices > 1 ? Value(arith::AndIOp::create(
                                   b, loc,
                                   arith::CmpIOp::create(
                                       b, loc, arith::CmpIPredicate::eq,
                                       slice, em.cst(c % kSlices)),
                                   valid[rowOf(c)]))
                             : valid[rowOf(c)],
                 [&] {
        for (int64_t st = 0; st < s; ++st)
          em.storeF32(stepsLoop.getResult(c * s + st), arg("ds0"),
                      {em.cst(st), batch[rowOf(c)], head, unitOf(c)});
      });
  }
  // No CTA may leave while another may still read its shared memory.
  if (inCluster) {
    NVVM::ClusterArriveOp::create(b, loc, b.getUnitAttr());
    NVVM::ClusterWaitOp::create(b, loc, b.getUnitAttr());
  }
  gpu::ReturnOp::create(b, loc);
  // The prefetched values are loop-carried: rolled, ptxas copies each one
  // into the register of its block argument at the end of the step, and
  // that copy waits for the load issued at the top of the same step (Elman
  // 64: 27% of the stall samples on one such IMAD.MOV, H200). Unrolled by
  // two, each step loads into the registers the other step reads. Measured
  // (H200, B = 16, backward ms; docs/PERFORMANCE.md, tenth session), it pays
  // for a short matmul and not for a long one, whose kernel then nears the
  // register budget: Elman 64 (4 k-tiles) 0.567 -> 0.408, Li-GRU and JANET
  // (8) 0.816 -> 0.776 and 0.813 -> 0.753; GRU and CIFG-LSTM (12) 0.898 ->
  // 0.970 and 0.907 -> 0.935, LSTM (16) 1.000 either way, sLSTM (16) 1.992
  // -> 2.084; GRU 128 (24, 256 threads) gained 1.49 -> 1.44 and is left
  // rolled with the rest.
  constexpr int64_t kUnrollMaxKTiles = 8;
  if (ctas == 1 && kSlices == 1 && (prefetch || latePrefetch) &&
      kTiles <= kUnrollMaxKTiles)
    (void)loopUnrollByFactor(timeLoop, 2);
  return func;
}
