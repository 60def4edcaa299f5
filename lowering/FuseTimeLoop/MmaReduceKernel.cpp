//===- MmaReduceKernel.cpp - dR and db as a tensor-core GEMM over B x T ---===//
//
// The reduction after the backward,
//   dR[k, n, j, i] = sum_q dg[q, v(k), n, j] h_{q-1}[n, i]
//   db[r, n, j]    = sum_q dg[q, v(r), n, j]          (q = (b, t), B x T terms)
// is, per head n, a GEMM  C[M x N] = A[M x K] . B[K x N]  with M = NA x DH
// rows (gate value, unit j), N = DH columns (input i) and K = B x T: the
// serial and sliced kernels run it as one dependent chain of FMAs per output
// element (9.2 and 3.9 ms at LSTM 64x12, B = 16, T = 1024, measured), which
// no amount of threads hides. Here it runs on tensor cores:
//   * A CTA of four warps owns a 64 x 64 tile of C and one of kSplit slices
//     of K, a slice being a range of steps of every batch row; the grid is
//     (tiles x kSplit, heads), numbered so that CTAs in launch order take
//     the slices from the last steps down. 64 CTAs per head (one slice per
//     tile) left LSTM 256 latency-bound at 2.0 ms.
//   * A slice first waits until every CTA of the head's backward has
//     stored its steps (lowering/Common/BackwardProgress.h): the runtime
//     may run the reduction beside the backward, on the SMs it leaves idle
//     (runtime/Cuda/GpuBackward.cpp); after it, the wait passes at once.
//   * Each 32-term chunk of K is staged in shared memory (A: 32 x 64
//     gradients, B: 32 x 64 values of h_{t-1}), rows padded to 72 words so
//     that the fragment loads of a warp (4 k-rows x 8 columns) hit 32
//     different banks. The next chunk's global loads are issued into
//     registers before the current chunk's mma.sync, so they overlap.
//     Loads are 16-byte runs (four rows of A, four columns of B; DH is a
//     multiple of 16), and each value is rounded to tf32 once, by the
//     thread that loaded it, before it is staged. Loaded one value at a
//     time, with the t = 0 test (a division by T) per value and the
//     rounding per fragment load, the kernel issued ~60 instructions per
//     mma.sync (ncu, LSTM 768: 6.9 ms, SM 28%, memory 16%, occupancy 12%).
//   * Warp w computes rows 16w .. 16w+15 of the tile against all 64 columns:
//     per 8-term k-step one A fragment and eight m16n8k8 tf32 mma.sync (f32
//     accumulation). The operands are rounded to tf32 (cvt.rna: 10-bit
//     mantissa, unbiased), more than the bf16/f16 packages' inputs carry.
//   * db is the row sums of A, in f32 before the rounding: each thread adds
//     up its runs' four rows over its k-rows, and the 8 threads of a run
//     column add their sums into the workspace at the end.
//   * The kSplit partial tiles meet in the f32 workspace `partial` (red.add
//     per element); the last CTA of a tile to arrive (an atomic counter in
//     `sync`, after a GPU-scope fence) reads the sums back with an atomic
//     exchange against zero, writes dR and db in the element type, and
//     resets its counter: the workspace is zero again for the next launch.
// Rows of gate values that neither R nor b uses are computed and dropped.
//
//===----------------------------------------------------------------------===//
#include "lowering/FuseTimeLoop/KernelBuilder.h"
#include "lowering/Common/BackwardProgress.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

constexpr int64_t kThreads = 128;   // four warps
constexpr int64_t kTileRows = 64;   // 16 per warp
constexpr int64_t kTileCols = 64;   // eight n8 tiles
constexpr int64_t kChunk = 32;      // K terms staged at once
constexpr int64_t kStride = 72;     // padded row of a staged chunk (words)
// Every tile's terms are cut into kSplit slices of steps (all batch rows),
// so that a slice can start as soon as the backward, which runs from T - 1
// down, has stored its steps: with the runtime overlapping the two kernels
// the reduction runs on the SMs the backward leaves idle, and what is left
// when the backward ends is one slice per tile. 16 slices whatever the
// tiling: before the overlap kSplit aimed at about 256 CTAs per head (at
// least 2 slices: LSTM 768 reduce 1.456 -> 1.265 ms at B = 16 from 1 to 2,
// H100), and more slices than that cost time run on their own (LSTM 256:
// 4 slices 0.432 ms, 12: 0.463, 16: 0.489), which the overlap hides.
constexpr int64_t kSplit = 16;
constexpr int64_t kMaxGridX = 65535; // what the runtime launches in grid x
constexpr int64_t kMinCtasPerSM = 3;

/// The tiling of one head's GEMM.
struct ReduceTiling {
  ReduceTiling(int64_t numValues, int64_t dh) {
    rows = numValues * dh;
    mTiles = (rows + kTileRows - 1) / kTileRows;
    nTiles = (dh + kTileCols - 1) / kTileCols;
    tiles = mTiles * nTiles;
    // Fewer where the grid's x would pass 65535 (DH 2048: 4096 tiles).
    split = std::clamp<int64_t>(kMaxGridX / tiles, 1, kSplit);
  }
  int64_t rows, mTiles, nTiles, tiles, split;
};

} // namespace

int64_t mlir::flashrnn::mmaReduceBlocksPerHead(int64_t numGateValues,
                                               int64_t headDim) {
  return ReduceTiling(numGateValues, headDim).tiles *
         ReduceTiling(numGateValues, headDim).split;
}

int64_t mlir::flashrnn::mmaReduceThreads() { return kThreads; }

bool mlir::flashrnn::mmaReduceFits(int64_t numGateValues, int64_t headDim) {
  // One counter per tile, numGateValues x headDim counters per head.
  return ReduceTiling(numGateValues, headDim).tiles <=
         numGateValues * headDim;
}

int64_t mlir::flashrnn::mmaReduceSharedBytes() {
  // Two staged chunks and the "last CTA" flag.
  return (2 * kChunk * kStride + 1) * 4;
}

gpu::GPUFuncOp mlir::flashrnn::buildMmaReduceKernel(gpu::GPUModuleOp module,
                                                    StringRef name,
                                                    SequenceOp sequence,
                                                    CellOp cell,
                                                    ScheduleAttr backwardSchedule) {
  SequenceShape shape(sequence);
  int64_t dh = shape.headDim;
  int64_t gr = shape.rGates;
  CellLayout layout(cell);
  int64_t na = layout.numGateValues;
  ReduceTiling tiling(na, dh);
  KernelEmitter em(sequence.getContext(), sequence.getLoc(),
                   shape.elementType);
  OpBuilder &b = em.b;
  Location loc = em.loc;
  Type f32 = b.getF32Type(), i32 = b.getI32Type();

  SmallVector<KernelArgSpec> args = reduceKernelArgs(b, shape, layout);
  gpu::GPUFuncOp func =
      em.createKernel(module, name, args, ScheduleAttr(), kThreads);
  // Three CTAs per SM: without a minimum ptxas for sm_80 caps the kernel at
  // 128 registers and spills (52 bytes at DH 64); with it, it takes 148-160
  // on sm_80 and sm_90 (ptxas -v, DH 48 to 2048) and three CTAs fit.
  func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                b.getI32IntegerAttr(kMinCtasPerSM));
  auto arg = [&](StringRef n) -> Value { return lookupKernelArg(func, n); };
  SmallVector<int64_t> rowValue = recurrentRowValues(cell, layout);
  SmallVector<std::pair<int64_t, int64_t>> biasRows =
      biasGradientRows(cell, layout);
  int64_t hIndex = layout.recurrentState;

  auto add = [&](Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); };
  auto mul = [&](Value x, int64_t c) {
    return arith::MulIOp::create(b, loc, x, em.cst(c));
  };
  auto div = [&](Value x, int64_t c) {
    return arith::DivUIOp::create(b, loc, x, em.cst(c));
  };
  auto rem = [&](Value x, int64_t c) {
    return arith::RemUIOp::create(b, loc, x, em.cst(c));
  };
  auto ult = [&](Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  };
  auto eq = [&](Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
  };
  auto both = [&](Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); };
  // A value loaded only where `ok` (out-of-range addresses are never read).
  auto loadIf = [&](Value ok, llvm::function_ref<Value()> load) -> Value {
    auto op = scf::IfOp::create(b, loc, TypeRange{f32}, ok,
                                /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(op.thenBlock());
    scf::YieldOp::create(b, loc, load());
    b.setInsertionPointToStart(op.elseBlock());
    scf::YieldOp::create(b, loc, em.cstF32(0.0));
    return op.getResult(0);
  };

  // Block (tile, slice) of head `head`, numbered so that the blocks in
  // launch order take the slices from the last steps down, every head and
  // tile of one slice before the next: the backward stores the last steps
  // first, and a block that runs beside it waits the least.
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value heads = gpu::GridDimOp::create(b, loc, gpu::Dimension::y);
  Value linear = add(
      arith::MulIOp::create(b, loc,
                            gpu::BlockIdOp::create(b, loc, gpu::Dimension::y),
                            gpu::GridDimOp::create(b, loc, gpu::Dimension::x)),
      gpu::BlockIdOp::create(b, loc, gpu::Dimension::x));
  Value perSlice = mul(heads, tiling.tiles);
  Value within = arith::RemUIOp::create(b, loc, linear, perSlice);
  Value slice = arith::SubIOp::create(
      b, loc, em.cst(tiling.split - 1),
      arith::DivUIOp::create(b, loc, linear, perSlice));
  Value head = div(within, tiling.tiles);
  Value tile = rem(within, tiling.tiles);
  Value rowBase = mul(div(tile, tiling.nTiles), kTileRows);
  Value colBase = mul(rem(tile, tiling.nTiles), kTileCols);
  Value firstColumnTile = eq(rem(tile, tiling.nTiles), em.cst(0));

  // The slice's steps: [t0, t1), L = ceil(T / split) rounded up to whole
  // chunks, so that each batch row's part of the slice is whole chunks of
  // consecutive steps (the last one cut at t1). Chunk c is row c / (L /
  // kChunk), steps t0 + (c mod (L / kChunk)) kChunk on.
  Value batch = memref::DimOp::create(b, loc, arg("dgates"), 0);
  Value steps = memref::DimOp::create(b, loc, arg("dgates"), 1);
  Value sliceSteps = mul(
      div(add(div(add(steps, em.cst(tiling.split - 1)), tiling.split),
              em.cst(kChunk - 1)),
          kChunk),
      kChunk);
  Value chunksPerRow = div(sliceSteps, kChunk);
  Value t0 = arith::MulIOp::create(b, loc, slice, sliceSteps);
  Value t1 = arith::MinUIOp::create(b, loc, steps, add(t0, sliceSteps));
  Value sliceOk = ult(t0, steps);
  Value chunks = arith::SelectOp::create(
      b, loc, sliceOk, arith::MulIOp::create(b, loc, batch, chunksPerRow),
      em.cst(0));
  Value dg = memref::CollapseShapeOp::create(
      b, loc, arg("dgates"),
      ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  Value saved = memref::CollapseShapeOp::create(
      b, loc, arg("saved_states"),
      ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});

  // The epilogue's threads: (lq, lr) own rows / columns lr of the tile's
  // rows 2i + lq.
  Value lr = rem(tid, kTileRows);
  Value lq = div(tid, kTileRows);
  Value loadRow = add(rowBase, lr); // A row: gate value and unit
  Value loadRowOk = ult(loadRow, em.cst(tiling.rows));
  Value safeRow = arith::SelectOp::create(b, loc, loadRowOk, loadRow, em.cst(0));
  Value loadValue = div(safeRow, dh), loadUnit = rem(safeRow, dh);
  Value loadCol = add(colBase, lr); // B column: input i
  Value loadColOk = ult(loadCol, em.cst(dh));

  // Staging: thread (kr, c4) loads the 16-byte runs c4 (4 rows of A, 4
  // columns of B: DH is a multiple of 16, so a run is all in range or all
  // out) of k-rows kr + 8i. One address, one load and one store per four
  // values; the t = 0 test (h_{t-1} is s0 there) one division per run.
  constexpr int64_t kRun = 4;
  constexpr int64_t kRunsPerRow = kTileRows / kRun;     // 16
  constexpr int64_t kRowsPerPass = kThreads / kRunsPerRow; // 8
  constexpr int64_t perThread = kChunk / kRowsPerPass;  // 4 runs of A, of B
  Value c4 = mul(rem(tid, kRunsPerRow), kRun);
  Value kr = div(tid, kRunsPerRow);
  Value runRow = add(rowBase, c4);
  Value runRowOk = ult(runRow, em.cst(tiling.rows));
  Value safeRunRow =
      arith::SelectOp::create(b, loc, runRowOk, runRow, em.cst(0));
  Value runValue = div(safeRunRow, dh), runUnit = rem(safeRunRow, dh);
  Value runCol = add(colBase, c4);
  Value runColOk = ult(runCol, em.cst(dh));
  auto quadType = VectorType::get({kRun}, f32);
  Value zeroQuad = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(quadType, b.getF32FloatAttr(0.0)));
  // A run loaded only where `ok` (out-of-range addresses are never read).
  auto loadRunIf = [&](Value ok, llvm::function_ref<Value()> load) -> Value {
    auto op = scf::IfOp::create(b, loc, TypeRange{quadType}, ok,
                                /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(op.thenBlock());
    scf::YieldOp::create(b, loc, load());
    b.setInsertionPointToStart(op.elseBlock());
    scf::YieldOp::create(b, loc, zeroQuad);
    return op.getResult(0);
  };
  auto loadRun = [&](Value memref, ValueRange indices) -> Value {
    Type t = cast<MemRefType>(memref.getType()).getElementType();
    auto load = vector::LoadOp::create(
        b, loc, VectorType::get({kRun}, t), memref, indices);
    load.setAlignment(kRun * t.getIntOrFloatBitWidth() / 8);
    if (t == f32)
      return load;
    return arith::ExtFOp::create(b, loc, quadType, load.getResult());
  };
  // Chunk c's runs: the thread's k-rows kr + 8i are steps tBase + kr + 8i
  // of batch row `row` (term q = row T + t of dgates), those past t1 or
  // past the last chunk zero.
  auto loadChunk = [&](Value c) {
    Value chunkOk = ult(c, chunks);
    Value safeChunk = arith::SelectOp::create(b, loc, chunkOk, c, em.cst(0));
    Value row = arith::DivUIOp::create(b, loc, safeChunk, chunksPerRow);
    Value tBase = add(
        t0, mul(arith::RemUIOp::create(b, loc, safeChunk, chunksPerRow),
                kChunk));
    Value rowTerms = arith::MulIOp::create(b, loc, row, steps);
    SmallVector<Value> ts, qs, inRange;
    for (int64_t i = 0; i < perThread; ++i) {
      ts.push_back(add(tBase, add(em.cst(kRowsPerPass * i), kr)));
      qs.push_back(add(rowTerms, ts.back()));
      inRange.push_back(both(chunkOk, ult(ts.back(), t1)));
    }
    SmallVector<Value> regs;
    for (int64_t i = 0; i < perThread; ++i)
      regs.push_back(loadRunIf(both(inRange[i], runRowOk), [&] {
        return loadRun(dg, ValueRange{qs[i], runValue, head, runUnit});
      }));
    for (int64_t i = 0; i < perThread; ++i) {
      regs.push_back(loadRunIf(both(inRange[i], runColOk), [&] {
        // h_{t-1}: the saved state of the previous step, s0 at t = 0.
        Value atStart = eq(ts[i], em.cst(0));
        auto pick = scf::IfOp::create(b, loc, TypeRange{quadType}, atStart,
                                      /*withElseRegion=*/true);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(pick.thenBlock());
        scf::YieldOp::create(
            b, loc, loadRun(arg("s0"), {em.cst(hIndex), row, head, runCol}));
        b.setInsertionPointToStart(pick.elseBlock());
        scf::YieldOp::create(
            b, loc,
            loadRun(saved, {em.cst(hIndex),
                            arith::SubIOp::create(b, loc, qs[i], em.cst(1)),
                            head, runCol}));
        return pick.getResult(0);
      }));
    }
    return regs;
  };

  // The stage holds the operands already rounded to tf32 (their bit
  // patterns, as mma.sync takes them): each value is converted once, by
  // the thread that loaded it, not once per fragment load.
  Value stage = em.sharedView({2, kChunk, kStride}, i32);
  Value lane = rem(tid, 32), warp = div(tid, 32);
  Value gid = div(lane, 4), tig = rem(lane, 4);
  Value warpRow = mul(warp, 16);
  const int64_t nTilesPerWarp = kTileCols / 8;

  auto tf32 = [&](Value x) -> Value {
    return NVVM::ConvertFloatToTF32Op::create(b, loc, i32, x,
                                              NVVM::FPRoundingMode::RNA,
                                              NVVM::SaturationMode::NONE,
                                              /*relu=*/false);
  };
  auto staged = [&](int64_t which, Value k, Value col) -> Value {
    return memref::LoadOp::create(b, loc, stage,
                                  ValueRange{em.cst(which), k, col});
  };

  // The chunk loop: acc (8 n-tiles x 4), the thread's four row sums of A
  // (db, in f32 before the rounding), the next chunk's runs.
  constexpr int64_t kCarried = nTilesPerWarp * 4 + kRun;
  SmallVector<Value> init(kCarried, em.cstF32(0.0));
  // The slice's steps must be stored: the backward publishes its progress
  // (with the runtime overlapping the two kernels, this is where a block
  // waits; otherwise the backward has finished and it passes at once).
  int64_t backwardTile = backwardSchedule.getBatchTile();
  emitProgressWait(
      b, loc, arg("progress"), head,
      div(add(batch, em.cst(backwardTile - 1)), backwardTile),
      backwardSchedule.getCtasPerHead(), tid,
      arith::IndexCastOp::create(
          b, loc, i32,
          arith::SelectOp::create(b, loc, sliceOk,
                                  arith::SubIOp::create(b, loc, steps, t0),
                                  em.cst(0))));
  SmallVector<Value> first = loadChunk(em.cst(0));
  llvm::append_range(init, first);
  auto loop = scf::ForOp::create(b, loc, em.cst(0), chunks, em.cst(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value c = loop.getInductionVar();
    ValueRange carried = loop.getRegionIterArgs();
    SmallVector<Value> acc(carried.begin(), carried.begin() + nTilesPerWarp * 4);
    SmallVector<Value> rowSums(carried.begin() + nTilesPerWarp * 4,
                               carried.begin() + kCarried);
    ValueRange regs = carried.drop_front(kCarried);

    // db: the row sums of this chunk's A runs, before the rounding.
    for (int64_t i = 0; i < perThread; ++i)
      for (int64_t c = 0; c < kRun; ++c)
        rowSums[c] = arith::AddFOp::create(
            b, loc, rowSums[c],
            vector::ExtractOp::create(b, loc, regs[i], ArrayRef<int64_t>{c}));
    // The previous chunk's fragments have been read: overwrite the stage.
    auto quadBits = VectorType::get({kRun}, i32);
    auto roundRun = [&](Value run) -> Value {
      Value bits = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(quadBits, b.getI32IntegerAttr(0)));
      for (int64_t c = 0; c < kRun; ++c)
        bits = vector::InsertOp::create(
            b, loc,
            tf32(vector::ExtractOp::create(b, loc, run,
                                           ArrayRef<int64_t>{c})),
            bits, ArrayRef<int64_t>{c});
      return bits;
    };
    SmallVector<Value> rounded;
    for (Value run : regs)
      rounded.push_back(roundRun(run));
    gpu::BarrierOp::create(b, loc);
    for (int64_t i = 0; i < perThread; ++i) {
      Value k = add(em.cst(kRowsPerPass * i), kr);
      for (int64_t which = 0; which < 2; ++which) {
        auto store = vector::StoreOp::create(
            b, loc, rounded[which * perThread + i], stage,
            ValueRange{em.cst(which), k, c4});
        store.setAlignment(16);
      }
    }
    gpu::BarrierOp::create(b, loc);
    // Issue the next chunk's loads before this chunk's math.
    SmallVector<Value> next = loadChunk(add(c, em.cst(1)));

    auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                       {f32, f32, f32, f32});
    for (int64_t ks = 0; ks < kChunk / 8; ++ks) {
      Value k0 = add(em.cst(8 * ks), tig), k1 = add(k0, em.cst(4));
      Value r0 = add(warpRow, gid), r1 = add(r0, em.cst(8));
      SmallVector<Value> a = {staged(0, k0, r0), staged(0, k0, r1),
                              staged(0, k1, r0), staged(0, k1, r1)};
      for (int64_t nn = 0; nn < nTilesPerWarp; ++nn) {
        Value col = add(em.cst(8 * nn), gid);
        SmallVector<Value> bf = {staged(1, k0, col), staged(1, k1, col)};
        ArrayRef<Value> c = ArrayRef<Value>(acc).slice(4 * nn, 4);
        auto op = NVVM::MmaOp::create(
            b, loc, resultType, a, bf, c, ArrayRef<int64_t>{16, 8, 8},
            std::nullopt, std::nullopt,
            std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::tf32,
                                          NVVM::MMATypes::tf32},
            std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                           NVVM::MMALayout::col});
        for (int64_t i = 0; i < 4; ++i)
          acc[4 * nn + i] = LLVM::ExtractValueOp::create(b, loc, op, i);
      }
    }
    SmallVector<Value> yielded = acc;
    llvm::append_range(yielded, rowSums);
    llvm::append_range(yielded, next);
    scf::YieldOp::create(b, loc, yielded);
  }

  // This CTA's partial tile into the workspace: partial[n][v][j][i], db in
  // column DH.
  Value partial = arg("partial");
  auto rowValueUnit = [&](Value row) {
    return std::make_pair(div(row, dh), rem(row, dh));
  };
  for (int64_t nn = 0; nn < nTilesPerWarp; ++nn)
    for (int64_t i = 0; i < 4; ++i) {
      Value row = add(rowBase, add(warpRow, add(gid, em.cst(8 * (i / 2)))));
      Value col = add(colBase, add(em.cst(8 * nn + i % 2), mul(tig, 2)));
      Value ok = both(ult(row, em.cst(tiling.rows)), ult(col, em.cst(dh)));
      em.ifValid(ok, [&] {
        auto [v, j] = rowValueUnit(row);
        memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addf,
                                    loop.getResult(4 * nn + i), partial,
                                    ValueRange{head, v, j, col});
      });
    }
  // db: the 8 threads of each run column add their row sums (the tile's
  // first column of tiles only).
  em.ifValid(both(firstColumnTile, runRowOk), [&] {
    for (int64_t c = 0; c < kRun; ++c)
      memref::AtomicRMWOp::create(
          b, loc, arith::AtomicRMWKind::addf,
          loop.getResult(nTilesPerWarp * 4 + c), partial,
          ValueRange{head, runValue, add(runUnit, em.cst(c)), em.cst(dh)});
  });
  Value rowSumOk =
      both(both(eq(lq, em.cst(0)), firstColumnTile), loadRowOk);

  // Arrive: the last of the tile's kSplit CTAs finishes it.
  Value counter = add(mul(head, na * dh), tile);
  Value flag = em.sharedF32({2 * kChunk * kStride + 1});
  Value flagIndex = em.cst(2 * kChunk * kStride);
  NVVM::MembarOp::create(b, loc, NVVM::MemScopeKind::GPU);
  gpu::BarrierOp::create(b, loc);
  em.ifValid(eq(tid, em.cst(0)), [&] {
    Value old = memref::AtomicRMWOp::create(
        b, loc, arith::AtomicRMWKind::addi,
        arith::ConstantIntOp::create(b, loc, 1, 32), arg("sync"),
        ValueRange{counter});
    Value last = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq, old,
        arith::ConstantIntOp::create(b, loc, tiling.split - 1, 32));
    memref::StoreOp::create(
        b, loc,
        arith::SelectOp::create(b, loc, last, em.cstF32(1.0), em.cstF32(0.0)),
        flag, ValueRange{flagIndex});
  });
  gpu::BarrierOp::create(b, loc);
  Value isLast = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OEQ,
      memref::LoadOp::create(b, loc, flag, ValueRange{flagIndex}),
      em.cstF32(1.0));
  em.ifValid(isLast, [&] {
    NVVM::MembarOp::create(b, loc, NVVM::MemScopeKind::GPU);
    // Read each sum and zero it in one atomic; store it where it belongs.
    auto take = [&](Value v, Value j, Value col) -> Value {
      return memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::assign,
                                         em.cstF32(0.0), partial,
                                         ValueRange{head, v, j, col});
    };
    for (int64_t i = 0; i < kTileRows * kTileCols / kThreads; ++i) {
      Value row = add(rowBase, add(em.cst(2 * i), lq));
      Value col = add(colBase, lr);
      Value ok = both(ult(row, em.cst(tiling.rows)), loadColOk);
      em.ifValid(ok, [&] {
        auto [v, j] = rowValueUnit(row);
        Value total = take(v, j, col);
        for (int64_t k = 0; k < gr; ++k)
          em.ifValid(eq(v, em.cst(rowValue[k])), [&] {
            em.storeF32(total, arg("dr"), {em.cst(k), head, j, col});
          });
      });
    }
    if (!biasRows.empty())
      em.ifValid(rowSumOk, [&] {
        Value total = take(loadValue, loadUnit, em.cst(dh));
        for (auto [r, value] : biasRows)
          em.ifValid(eq(loadValue, em.cst(value)), [&] {
            em.storeF32(total, arg("db"), {em.cst(r), head, loadUnit});
          });
      });
    else
      em.ifValid(rowSumOk, [&] { take(loadValue, loadUnit, em.cst(dh)); });
    em.ifValid(eq(tid, em.cst(0)), [&] {
      memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::assign,
                                  arith::ConstantIntOp::create(b, loc, 0, 32),
                                  arg("sync"), ValueRange{counter});
    });
  });
  gpu::ReturnOp::create(b, loc);
  return func;
}
