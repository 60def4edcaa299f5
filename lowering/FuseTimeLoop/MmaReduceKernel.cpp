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
//     of K; the grid is (tiles x kSplit, heads), with kSplit chosen so that a
//     head has about 256 CTAs (at most 16 slices) whatever B and T are (both
//     are run-time sizes). 64 left LSTM 256 with one slice per tile: 192
//     CTAs of 4 warps each streaming all of B x T, latency-bound at 2.0 ms.
//   * Each 32-term chunk of K is staged in shared memory as f32 (A: 32 x 64
//     gradients, B: 32 x 64 values of h_{t-1}), rows padded to 72 words so
//     that the fragment loads of a warp (4 k-rows x 8 columns) hit 32
//     different banks. The next chunk's global loads are issued into
//     registers before the current chunk's mma.sync, so they overlap.
//   * Warp w computes rows 16w .. 16w+15 of the tile against all 64 columns:
//     per 8-term k-step one A fragment and eight m16n8k8 tf32 mma.sync (f32
//     accumulation). The operands are rounded to tf32 (cvt.rna: 10-bit
//     mantissa, unbiased), more than the bf16/f16 packages' inputs carry.
//   * db is the row sums of A: the threads of the first two warps add up
//     their row's 32 staged gradients per chunk.
//   * The kSplit partial tiles meet in the f32 workspace `partial` (red.add
//     per element); the last CTA of a tile to arrive (an atomic counter in
//     `sync`, after a GPU-scope fence) reads the sums back with an atomic
//     exchange against zero, writes dR and db in the element type, and
//     resets its counter: the workspace is zero again for the next launch.
// Rows of gate values that neither R nor b uses are computed and dropped.
//
//===----------------------------------------------------------------------===//
#include "lowering/FuseTimeLoop/KernelBuilder.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

constexpr int64_t kThreads = 128;   // four warps
constexpr int64_t kTileRows = 64;   // 16 per warp
constexpr int64_t kTileCols = 64;   // eight n8 tiles
constexpr int64_t kChunk = 32;      // K terms staged at once
constexpr int64_t kStride = 72;     // padded row of a staged chunk (words)
constexpr int64_t kCtasPerHead = 256; // the target that sets kSplit
constexpr int64_t kMaxSplit = 16;

/// The tiling of one head's GEMM.
struct ReduceTiling {
  ReduceTiling(int64_t numValues, int64_t dh) {
    rows = numValues * dh;
    mTiles = (rows + kTileRows - 1) / kTileRows;
    nTiles = (dh + kTileCols - 1) / kTileCols;
    tiles = mTiles * nTiles;
    split = std::clamp<int64_t>((kCtasPerHead + tiles - 1) / tiles, 1,
                                kMaxSplit);
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
                                                    CellOp cell) {
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
  // Past DH = 256 ptxas spills without a minimum of CTAs per SM (48 bytes
  // at 168 registers at DH = 768; with it 224 and none, ptxas -v for
  // sm_90). Up to 256 it needs 168 and fits three CTAs per SM; with the
  // minimum it would take ~240 and fit two.
  if (dh > 256)
    func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                  b.getI32IntegerAttr(1));
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

  // Block (tile, slice) of head `head`.
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value block = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value slice = rem(block, tiling.split);
  Value tile = div(block, tiling.split);
  Value rowBase = mul(div(tile, tiling.nTiles), kTileRows);
  Value colBase = mul(rem(tile, tiling.nTiles), kTileCols);
  Value firstColumnTile = eq(rem(tile, tiling.nTiles), em.cst(0));

  // The B x T terms, flattened: q = b T + t.
  Value batch = memref::DimOp::create(b, loc, arg("dgates"), 0);
  Value steps = memref::DimOp::create(b, loc, arg("dgates"), 1);
  Value terms = arith::MulIOp::create(b, loc, batch, steps);
  Value dg = memref::CollapseShapeOp::create(
      b, loc, arg("dgates"),
      ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  Value saved = memref::CollapseShapeOp::create(
      b, loc, arg("saved_states"),
      ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
  // This slice's terms: [begin, end), a multiple of kChunk long.
  Value sliceLen = mul(
      div(add(div(add(terms, em.cst(tiling.split - 1)), tiling.split),
              em.cst(kChunk - 1)),
          kChunk),
      kChunk);
  Value begin = arith::MulIOp::create(b, loc, slice, sliceLen);
  Value end = arith::MinUIOp::create(b, loc, terms, add(begin, sliceLen));
  Value steps32 = arith::IndexCastOp::create(b, loc, i32, steps);

  // Staging: thread (lq, lr) loads rows / columns lr of k-rows 2i + lq.
  Value lr = rem(tid, kTileRows);
  Value lq = div(tid, kTileRows);
  Value loadRow = add(rowBase, lr); // A row: gate value and unit
  Value loadRowOk = ult(loadRow, em.cst(tiling.rows));
  Value safeRow = arith::SelectOp::create(b, loc, loadRowOk, loadRow, em.cst(0));
  Value loadValue = div(safeRow, dh), loadUnit = rem(safeRow, dh);
  Value loadCol = add(colBase, lr); // B column: input i
  Value loadColOk = ult(loadCol, em.cst(dh));
  constexpr int64_t perThread = kChunk * kTileRows / kThreads;
  auto loadChunk = [&](Value q0) {
    SmallVector<Value> regs;
    for (int64_t i = 0; i < perThread; ++i) {
      Value q = add(q0, add(em.cst(2 * i), lq));
      Value inRange = ult(q, end);
      regs.push_back(loadIf(both(inRange, loadRowOk), [&] {
        return memref::LoadOp::create(
            b, loc, dg, ValueRange{q, loadValue, head, loadUnit});
      }));
    }
    for (int64_t i = 0; i < perThread; ++i) {
      Value q = add(q0, add(em.cst(2 * i), lq));
      Value inRange = ult(q, end);
      regs.push_back(loadIf(both(inRange, loadColOk), [&] {
        // h_{t-1}: the saved state of the previous term, s0 at t = 0.
        Value q32 = arith::IndexCastOp::create(b, loc, i32, q);
        Value atStart = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq,
            arith::RemUIOp::create(b, loc, q32, steps32),
            arith::ConstantIntOp::create(b, loc, 0, 32));
        auto pick = scf::IfOp::create(b, loc, TypeRange{f32}, atStart,
                                      /*withElseRegion=*/true);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(pick.thenBlock());
        Value bi = arith::IndexCastOp::create(
            b, loc, b.getIndexType(),
            arith::DivUIOp::create(b, loc, q32, steps32));
        scf::YieldOp::create(
            b, loc, em.loadF32(arg("s0"), {em.cst(hIndex), bi, head, loadCol}));
        b.setInsertionPointToStart(pick.elseBlock());
        scf::YieldOp::create(
            b, loc,
            ValueRange{memref::LoadOp::create(
                b, loc, saved,
                ValueRange{em.cst(hIndex),
                           arith::SubIOp::create(b, loc, q, em.cst(1)), head,
                           loadCol})});
        return pick.getResult(0);
      }));
    }
    return regs;
  };

  Value stage = em.sharedF32({2, kChunk, kStride});
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

  // The chunk loop: acc (8 n-tiles x 4), the row sum, the next chunk's regs.
  SmallVector<Value> init(nTilesPerWarp * 4 + 1, em.cstF32(0.0));
  SmallVector<Value> first = loadChunk(begin);
  llvm::append_range(init, first);
  auto loop = scf::ForOp::create(b, loc, begin, end, em.cst(kChunk), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value q0 = loop.getInductionVar();
    ValueRange carried = loop.getRegionIterArgs();
    SmallVector<Value> acc(carried.begin(), carried.begin() + nTilesPerWarp * 4);
    Value rowSum = carried[nTilesPerWarp * 4];
    ValueRange regs = carried.drop_front(nTilesPerWarp * 4 + 1);

    // The previous chunk's fragments have been read: overwrite the stage.
    gpu::BarrierOp::create(b, loc);
    for (int64_t i = 0; i < perThread; ++i) {
      Value k = add(em.cst(2 * i), lq);
      memref::StoreOp::create(b, loc, regs[i], stage,
                              ValueRange{em.cst(0), k, lr});
      memref::StoreOp::create(b, loc, regs[perThread + i], stage,
                              ValueRange{em.cst(1), k, lr});
    }
    gpu::BarrierOp::create(b, loc);
    // Issue the next chunk's loads before this chunk's math.
    SmallVector<Value> next = loadChunk(add(q0, em.cst(kChunk)));

    auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                       {f32, f32, f32, f32});
    for (int64_t ks = 0; ks < kChunk / 8; ++ks) {
      Value k0 = add(em.cst(8 * ks), tig), k1 = add(k0, em.cst(4));
      Value r0 = add(warpRow, gid), r1 = add(r0, em.cst(8));
      SmallVector<Value> a = {tf32(staged(0, k0, r0)), tf32(staged(0, k0, r1)),
                              tf32(staged(0, k1, r0)), tf32(staged(0, k1, r1))};
      for (int64_t nn = 0; nn < nTilesPerWarp; ++nn) {
        Value col = add(em.cst(8 * nn), gid);
        SmallVector<Value> bf = {tf32(staged(1, k0, col)),
                                 tf32(staged(1, k1, col))};
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
    // db: row lr's staged gradients (warps 0 and 1 only: lq = 0).
    auto sum = scf::IfOp::create(b, loc, TypeRange{f32},
                                 eq(lq, em.cst(0)), /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(sum.thenBlock());
      Value s = rowSum;
      for (int64_t k = 0; k < kChunk; ++k)
        s = arith::AddFOp::create(b, loc, s, staged(0, em.cst(k), lr));
      scf::YieldOp::create(b, loc, s);
      b.setInsertionPointToStart(sum.elseBlock());
      scf::YieldOp::create(b, loc, rowSum);
    }
    SmallVector<Value> yielded = acc;
    yielded.push_back(sum.getResult(0));
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
  Value rowSumOk =
      both(both(eq(lq, em.cst(0)), firstColumnTile), loadRowOk);
  em.ifValid(rowSumOk, [&] {
    memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addf,
                                loop.getResult(nTilesPerWarp * 4), partial,
                                ValueRange{head, loadValue, loadUnit,
                                           em.cst(dh)});
  });

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
