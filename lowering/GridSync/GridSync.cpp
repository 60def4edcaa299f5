//===- GridSync.cpp - the flashrnn-grid-sync pass -------------------------===//
//
// Lowers flashrnn.exchange, the one synchronisation point of a step.
//
// Within one CTA (gridBarrier = false): store h to shared memory, one block
// barrier. The buffer is double-buffered by the kernel (slot = t mod 2), so a
// single barrier per step suffices: a thread can only overwrite a slot after
// every thread has passed the barrier that ended the reads of that slot.
//
// Across the C CTAs of a head (gridBarrier = true): store h to the global
// exchange buffer, then one grid barrier over the C CTAs of the same head and
// batch tile, then copy the h row back into shared memory. The barrier is a
// monotonic counter per group: at exchange e every CTA adds 1 and waits for
// C * (e + 1), so counters never need resetting within a launch. Thread 0
// of the CTA fences (release), increments, spins and fences (acquire); block
// barriers around it order the other threads' accesses. The launch must be
// cooperative so that all CTAs are resident.
//
// The tensor-core forward (r_placement "registers") holds h in its tile
// layout: a thread publishes the h of `rows` batch rows, each stored as
// `parts` terms (hi, lo) of the element type. Across CTAs every value goes
// to the global buffer in f32 (one value per (batch row, unit)), and after
// the barrier all threads of the CTA copy the tile's rows back, four units
// per load, splitting each value into its terms on the way. Where the CTAs
// of a head form a thread-block cluster (sm_90) the terms go straight into
// every CTA's shared buffer instead, around one cluster barrier. Where the
// schedule says taggedExchange and a value has one term of a 16-bit type,
// there is no barrier per step: each value goes out as a tagged word, and
// the copy back polls the words until they carry the step's tag
// (TaggedWords.h); the kernel then clears its words and meets the others at
// one grid barrier at its start.
//
//===----------------------------------------------------------------------===//
#include "lowering/Common/AsyncCopy.h"
#include "lowering/Common/ClusterMemory.h"
#include "lowering/Common/GridBarrier.h"
#include "lowering/Common/KernelABI.h"
#include "lowering/Common/TaggedWords.h"
#include "lowering/Passes.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <numeric>

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNGRIDSYNC
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

/// The indices of term `term` of value k of an element in a [2, rows, DH]
/// or [2, rows, K * parts, DH] buffer.
SmallVector<Value> elementIndex(OpBuilder &b, Location loc, ExchangeOp op,
                                Value slot, Value row, Value unit,
                                int64_t term) {
  SmallVector<Value> idx = {slot, row};
  if (cast<MemRefType>(op.getBuffer().getType()).getRank() == 4)
    idx.push_back(arith::ConstantIndexOp::create(b, loc, term));
  idx.push_back(unit);
  return idx;
}

/// The `parts` terms of `v` (a scalar or vector of f32) in `element`: v
/// rounded, then (parts = 2) the rounding error of that.
SmallVector<Value> splitTerms(OpBuilder &b, Location loc, Value v,
                              Type element, int64_t parts) {
  Type type = v.getType();
  if (auto vec = dyn_cast<VectorType>(type))
    element = VectorType::get(vec.getShape(), element);
  if (type == element)
    return {v};
  Value hi = arith::TruncFOp::create(b, loc, element, v);
  if (parts == 1)
    return {hi};
  Value rest = arith::SubFOp::create(
      b, loc, v, arith::ExtFOp::create(b, loc, type, hi));
  return {hi, arith::TruncFOp::create(b, loc, element, rest)};
}

/// Runs `body` where `mask` holds (everywhere without a mask).
void ifMasked(OpBuilder &b, Location loc, Value mask,
              function_ref<void(OpBuilder &, Location)> body) {
  if (!mask)
    return body(b, loc);
  scf::IfOp::create(b, loc, mask, [&](OpBuilder &nb, Location l) {
    body(nb, l);
    scf::YieldOp::create(nb, l);
  });
}

/// Item e = tid + m * threads of `count` items, for every round m: `body`
/// runs once per item of the thread, behind a guard only in a last,
/// partial round.
void forEachThreadItem(OpBuilder &b, Location loc, Value tid, int64_t threads,
                       int64_t count,
                       function_ref<void(OpBuilder &, Location, Value)> body) {
  for (int64_t m = 0; m * threads < count; ++m) {
    Value e = arith::AddIOp::create(
        b, loc, tid, arith::ConstantIndexOp::create(b, loc, m * threads));
    if ((m + 1) * threads <= count) {
      body(b, loc, e);
      continue;
    }
    Value inRange = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ult, e,
        arith::ConstantIndexOp::create(b, loc, count));
    scf::IfOp::create(b, loc, inRange, [&](OpBuilder &nb, Location l) {
      body(nb, l, e);
      scf::YieldOp::create(nb, l);
    });
  }
}

/// The byte offset of element `idx` in `op`'s buffer (static strides).
Value bufferByteOffset(OpBuilder &b, Location loc, ExchangeOp op,
                       ValueRange idx) {
  auto bufferType = cast<MemRefType>(op.getBuffer().getType());
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value linear = c(0);
  for (auto [i, stride] :
       llvm::enumerate(bufferType.getStridesAndOffset().first)) {
    Value term = arith::MulIOp::create(b, loc, idx[i], c(stride));
    linear = arith::AddIOp::create(b, loc, linear, term);
  }
  Value elementBytes =
      c(bufferType.getElementType().getIntOrFloatBitWidth() / 8);
  return arith::MulIOp::create(b, loc, linear, elementBytes);
}

/// The indices of term `p` (index) of tile row `r` at `unit` in the tile
/// layout's buffer: [slot, r / rows, (r % rows) * parts + p, unit] (rank 4)
/// or [slot, r / rows, unit].
SmallVector<Value> tileTermIndex(OpBuilder &b, Location loc, ExchangeOp op,
                                 Value r, Value p, Value unit) {
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  int64_t rows = op.getRows(), parts = op.getParts();
  SmallVector<Value> idx = {op.getSlot(),
                            arith::DivUIOp::create(b, loc, r, c(rows))};
  if (cast<MemRefType>(op.getBuffer().getType()).getRank() == 4) {
    Value inGroup = arith::RemUIOp::create(b, loc, r, c(rows));
    Value first = arith::MulIOp::create(b, loc, inGroup, c(parts));
    idx.push_back(arith::AddIOp::create(b, loc, first, p));
  }
  idx.push_back(unit);
  return idx;
}

void lowerWithinCta(ExchangeOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Type element = cast<MemRefType>(op.getBuffer().getType()).getElementType();
  int64_t parts = op.getParts();
  ifMasked(b, loc, op.getMask(), [&](OpBuilder &nb, Location l) {
    for (auto [k, v] : llvm::enumerate(op.getValues()))
      for (auto [p, term] :
           llvm::enumerate(splitTerms(nb, l, v, element, parts)))
        memref::StoreOp::create(nb, l, term, op.getBuffer(),
                                elementIndex(nb, l, op, op.getSlot(),
                                             op.getRow(), op.getUnit(),
                                             k * parts + p));
  });
  gpu::BarrierOp::create(b, loc);
}

/// Within the thread-block cluster of a head (schedule `cluster`): every
/// term is stored into the same place of the shared buffer of every CTA of
/// the cluster (distributed shared memory, mapa + st.shared::cluster), then
/// one cluster barrier (arrive with release semantics, wait with acquire).
/// The slot alternation makes one barrier per step enough, as within a CTA.
void lowerTileInCluster(ExchangeOp op, ScheduleAttr schedule) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto bufferType = cast<MemRefType>(op.getBuffer().getType());
  Type element = bufferType.getElementType();
  int64_t parts = op.getParts();
  ifMasked(b, loc, op.getMask(), [&](OpBuilder &nb, Location l) {
    Value base = sharedBaseAddress(nb, l, op.getBuffer());
    for (auto [k, v] : llvm::enumerate(op.getValues()))
      for (auto [p, term] :
           llvm::enumerate(splitTerms(nb, l, v, element, parts))) {
        SmallVector<Value> idx = elementIndex(nb, l, op, op.getSlot(),
                                              op.getRow(), op.getUnit(),
                                              k * parts + p);
        Value local =
            sharedByteAddress(nb, l, base, bufferByteOffset(nb, l, op, idx));
        for (int64_t rank = 0; rank < schedule.getCtasPerHead(); ++rank)
          LLVM::StoreOp::create(
              nb, l, term,
              clusterAddress(nb, l, local,
                             arith::ConstantIntOp::create(nb, l, rank, 32)));
      }
  });
  NVVM::ClusterArriveOp::create(b, loc, b.getUnitAttr());
  NVVM::ClusterWaitOp::create(b, loc, b.getUnitAttr());
}

/// The two mbarriers of a kernel's asynchronous exchange (one per slot of
/// the double-buffered tile), static shared memory of the kernel.
struct AsyncExchangeBarriers {
  Value bars;     // memref<2xi64, workgroup>
  int64_t txBytes; // bytes a CTA receives per step: the other CTAs' blocks
};

/// Bytes of the tile that the other CTAs of the cluster write into this
/// one per exchange: their units of every tile row and term.
int64_t asyncExchangeBytes(ExchangeOp op, ScheduleAttr schedule) {
  auto bufferType = cast<MemRefType>(op.getBuffer().getType());
  int64_t elementBytes = bufferType.getElementType().getIntOrFloatBitWidth() / 8;
  return (schedule.getCtasPerHead() - 1) * schedule.getBatchTile() *
         op.getParts() * schedule.getUnitsPerCta() * elementBytes;
}

/// The address of the mbarrier of `slot` (index) in `bars`.
Value barrierAddress(OpBuilder &b, Location loc, Value bars, Value slot) {
  return sharedByteAddress(
      b, loc, sharedBaseAddress(b, loc, bars),
      arith::MulIOp::create(b, loc, slot,
                            arith::ConstantIndexOp::create(b, loc, 8)));
}

/// At the kernel's start, before the cluster barrier that lets the other
/// CTAs write: thread 0 initialises both mbarriers (one arrival each: its
/// own expect_tx) and opens their first phases (epochs 0 and 1).
AsyncExchangeBarriers prepareAsyncExchange(gpu::GPUFuncOp func,
                                           int64_t txBytes) {
  MLIRContext *ctx = func.getContext();
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Location loc = func.getLoc();
  Value bars = func.addWorkgroupAttribution(
      MemRefType::get({2}, IntegerType::get(ctx, 64),
                      MemRefLayoutAttrInterface{}, workgroup),
      loc);
  OpBuilder b(ctx);
  b.setInsertionPointToStart(&func.getBody().front());
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value first = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, tid,
      arith::ConstantIndexOp::create(b, loc, 0));
  scf::IfOp::create(b, loc, first, [&](OpBuilder &nb, Location l) {
    for (int64_t slot = 0; slot < 2; ++slot)
      emitMbarrierInit(nb, l,
                       barrierAddress(nb, l, bars,
                                      arith::ConstantIndexOp::create(nb, l,
                                                                     slot)));
    emitMbarrierInitFence(nb, l);
    scf::YieldOp::create(nb, l);
  });
  // The initialisation before the first phase's arrival, across a block
  // barrier: compute-sanitizer's racecheck reported the two, in the same
  // thread, as a warp-level hazard without it (H200).
  gpu::BarrierOp::create(b, loc);
  scf::IfOp::create(b, loc, first, [&](OpBuilder &nb, Location l) {
    for (int64_t slot = 0; slot < 2; ++slot)
      emitMbarrierArriveExpectTx(
          nb, l,
          barrierAddress(nb, l, bars,
                         arith::ConstantIndexOp::create(nb, l, slot)),
          arith::ConstantIntOp::create(nb, l, txBytes, 32));
    scf::YieldOp::create(nb, l);
  });
  return {bars, txBytes};
}

/// Within the cluster without a cluster barrier per step (schedule
/// `asyncExchange`): the terms go into this CTA's own rows, one block
/// barrier, then the CTA's threads copy its block of the tile (its units of
/// every row and term) into the other CTAs' rows with st.async, in runs of
/// up to 16 bytes, each completing on the receiver's mbarrier of the slot.
/// Every thread then waits for its own mbarrier's phase of this epoch (all
/// the other blocks landed), and thread 0 opens the slot's next phase.
/// Why the slot may be overwritten: a CTA writes epoch e + 2 into a slot
/// only after it received epoch e + 1 from every CTA, and each sends e + 1
/// only after the block barrier that ends its reads of epoch e.
void lowerTileInClusterAsync(ExchangeOp op, ScheduleAttr schedule,
                             const AsyncExchangeBarriers &barriers) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto bufferType = cast<MemRefType>(op.getBuffer().getType());
  int64_t elementBytes = bufferType.getElementType().getIntOrFloatBitWidth() / 8;
  auto strides = bufferType.getStridesAndOffset().first;
  int64_t parts = op.getParts();
  int64_t units = schedule.getUnitsPerCta(), ctas = schedule.getCtasPerHead();
  int64_t tileRows = schedule.getBatchTile();
  // The widest run that every row, term and block start is aligned to.
  // (The innermost dimension is the units': the block is contiguous there.)
  int64_t align = units * elementBytes;
  for (int64_t stride : ArrayRef<int64_t>(strides).drop_back())
    align = std::gcd(align, stride * elementBytes);
  int64_t runBytes = align % 16 == 0 ? 16 : align % 8 == 0 ? 8 : 4;
  assert(align % 4 == 0 && "a CTA's block of h must be 4-byte aligned");
  int64_t runWords = runBytes / 4;

  lowerWithinCta(op);

  Value cta = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value base = sharedBaseAddress(b, loc, op.getBuffer());
  Value localBarrier = barrierAddress(b, loc, barriers.bars, op.getSlot());
  int64_t runsPerRow = units * elementBytes / runBytes;
  int64_t runsPerBlock = tileRows * parts * runsPerRow;
  int64_t copies = runsPerBlock * (ctas - 1);
  int64_t threads = schedule.getThreads();
  Type i32 = b.getI32Type();
  auto runType = VectorType::get({runWords}, i32);
  forEachThreadItem(b, loc, tid, threads, copies, [&](OpBuilder &nb,
                                                       Location l, Value e) {
    auto k = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(nb, l, v);
    };
    // Copy e: the run e % runsPerBlock of the block, to the CTA
    // 1 + e / runsPerBlock ranks after this one (so that the CTAs do not
    // all write to the same one first).
    Value run = arith::RemUIOp::create(nb, l, e, k(runsPerBlock));
    Value offset = arith::AddIOp::create(
        nb, l, arith::DivUIOp::create(nb, l, e, k(runsPerBlock)), k(1));
    Value rank = arith::RemUIOp::create(
        nb, l, arith::AddIOp::create(nb, l, cta, offset), k(ctas));
    Value rowTerm = arith::DivUIOp::create(nb, l, run, k(runsPerRow));
    Value word = arith::RemUIOp::create(nb, l, run, k(runsPerRow));
    // (Each operation named, so that they are built in this order.)
    Value r = arith::DivUIOp::create(nb, l, rowTerm, k(parts));
    Value p = arith::RemUIOp::create(nb, l, rowTerm, k(parts));
    Value blockStart = arith::MulIOp::create(nb, l, cta, k(units));
    SmallVector<Value> idx = tileTermIndex(nb, l, op, r, p, blockStart);
    Value rowBytes = bufferByteOffset(nb, l, op, idx);
    Value wordBytes = arith::MulIOp::create(nb, l, word, k(runBytes));
    Value bytes = arith::AddIOp::create(nb, l, rowBytes, wordBytes);
    Value local = sharedByteAddress(nb, l, base, bytes);
    Value value = LLVM::LoadOp::create(nb, l, runType, local, runBytes);
    SmallVector<Value> words;
    for (int64_t w = 0; w < runWords; ++w)
      words.push_back(LLVM::ExtractElementOp::create(
          nb, l, value, LLVM::ConstantOp::create(nb, l, i32, w)));
    Value rank32 = arith::IndexCastUIOp::create(nb, l, i32, rank);
    emitStoreAsync(nb, l, clusterAddress(nb, l, local, rank32), words,
                   clusterAddress(nb, l, localBarrier, rank32));
  });

  // Epoch e is phase e / 2 of slot e mod 2's barrier.
  Value parity = arith::IndexCastUIOp::create(
      b, loc, i32,
      arith::RemUIOp::create(
          b, loc, arith::DivUIOp::create(b, loc, op.getEpoch(), c(2)), c(2)));
  emitMbarrierWaitParity(b, loc, localBarrier, parity);
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid,
                                      c(0));
  scf::IfOp::create(b, loc, first, [&](OpBuilder &nb, Location l) {
    emitMbarrierArriveExpectTx(
        nb, l, localBarrier,
        arith::ConstantIntOp::create(nb, l, barriers.txBytes, 32));
    scf::YieldOp::create(nb, l);
  });
}

/// A CTA may write into another's shared memory only while both run: the
/// kernel starts and ends with a cluster barrier.
void guardClusterLifetime(gpu::GPUFuncOp func) {
  OpBuilder b(func.getContext());
  Location loc = func.getLoc();
  b.setInsertionPointToStart(&func.getBody().front());
  NVVM::ClusterArriveOp::create(b, loc, b.getUnitAttr());
  NVVM::ClusterWaitOp::create(b, loc, b.getUnitAttr());
  func.walk([&](gpu::ReturnOp ret) {
    b.setInsertionPoint(ret);
    NVVM::ClusterArriveOp::create(b, ret.getLoc(), b.getUnitAttr());
    NVVM::ClusterWaitOp::create(b, ret.getLoc(), b.getUnitAttr());
  });
}

/// The tile's first batch row (of the whole batch) and the batch size.
std::pair<Value, Value> tileRows(OpBuilder &b, Location loc,
                                 gpu::GPUFuncOp func, ScheduleAttr schedule,
                                 Value tile) {
  Value batchSize = buildBatchSize(b, loc, func);
  Value begin = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), lookupKernelArg(func, "batch_begin"));
  Value tileStart = arith::AddIOp::create(
      b, loc, begin,
      arith::MulIOp::create(
          b, loc, tile,
          arith::ConstantIndexOp::create(b, loc, schedule.getBatchTile())));
  return {tileStart, batchSize};
}

/// The tile layout's publication: where the mask holds, value k of `op` is h
/// of batch row rows * row + k of the tile; `store` puts each one whose row
/// is inside the batch into the global buffer (`batch`: its row of the
/// whole batch).
void publishTileValues(
    OpBuilder &b, Location loc, ExchangeOp op, Value tileStart,
    Value batchSize,
    llvm::function_ref<void(OpBuilder &, Location, Value, Value)> store) {
  int64_t rows = op.getRows();
  ifMasked(b, loc, op.getMask(), [&](OpBuilder &nb, Location l) {
    for (auto [k, v] : llvm::enumerate(op.getValues())) {
      Value batch = arith::AddIOp::create(
          nb, l, tileStart,
          arith::AddIOp::create(
              nb, l,
              arith::MulIOp::create(
                  nb, l, op.getRow(),
                  arith::ConstantIndexOp::create(nb, l, rows)),
              arith::ConstantIndexOp::create(nb, l, k)));
      Value inside = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult,
                                           batch, batchSize);
      scf::IfOp::create(nb, l, inside, [&](OpBuilder &ib, Location il) {
        store(ib, il, v, batch);
        scf::YieldOp::create(ib, il);
      });
    }
  });
}

/// Stores a gathered quad (tile row `r`, units `unit` .. + 3; f32, or
/// already in the buffer's element type) as its `op.getParts()` terms into
/// the shared rows of `op`'s buffer: term p of row r at [slot, r / rows,
/// (r % rows) * parts + p, unit] (rank 4) or [slot, r / rows, unit].
void storeQuadTerms(OpBuilder &b, Location loc, ExchangeOp op, Value r,
                    Value unit, Value quad) {
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto bufferType = cast<MemRefType>(op.getBuffer().getType());
  for (auto [p, term] :
       llvm::enumerate(splitTerms(b, loc, quad, bufferType.getElementType(),
                                  op.getParts()))) {
    SmallVector<Value> idx = tileTermIndex(b, loc, op, r, c(p), unit);
    vector::StoreOp::create(b, loc, term, op.getBuffer(), idx)
        .setAlignment(8);
  }
}

/// Across the CTAs of a head, for the tensor-core forward's tile layout (see
/// the file comment): each value is h of one batch row, f32 in the global
/// buffer [2, B, NH, DH].
void lowerTileAcrossCtas(ExchangeOp op, gpu::GPUFuncOp func,
                         ScheduleAttr schedule) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  Value exchange = lookupKernelArg(func, "h_exchange");
  int64_t tileRowCount = schedule.getBatchTile();
  int64_t dh = cast<MemRefType>(exchange.getType()).getDimSize(3);
  Value head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value tile = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  auto [tileStart, batchSize] = tileRows(b, loc, func, schedule, tile);

  publishTileValues(b, loc, op, tileStart, batchSize,
                    [&](OpBuilder &nb, Location l, Value v, Value batch) {
                      memref::StoreOp::create(
                          nb, l, v, exchange,
                          ValueRange{op.getSlot(), batch, head, op.getUnit()});
                    });
  emitGroupBarrier(b, loc, func, schedule, head, tile, op.getEpoch());

  // Gather the tile's rows, four units per thread and load: quad e of the
  // tile is row e / (DH / 4), units 4 (e % (DH / 4)) .. + 3.
  Type f32 = b.getF32Type();
  auto quadType = VectorType::get({4}, f32);
  int64_t quadsPerRow = dh / 4, quads = tileRowCount * quadsPerRow;
  int64_t threads = schedule.getThreads();
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  forEachThreadItem(b, loc, tid, threads, quads, [&](OpBuilder &nb,
                                                      Location l, Value e) {
    auto c = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(nb, l, v);
    };
    Value r = arith::DivUIOp::create(nb, l, e, c(quadsPerRow));
    Value unit = arith::MulIOp::create(
        nb, l, arith::RemUIOp::create(nb, l, e, c(quadsPerRow)), c(4));
    // Rows past the batch read row 0 (their values are never stored).
    Value batch = arith::AddIOp::create(nb, l, tileStart, r);
    Value inside = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult,
                                         batch, batchSize);
    Value safe = arith::SelectOp::create(nb, l, inside, batch, c(0));
    auto load = vector::LoadOp::create(
        nb, l, quadType, exchange,
        ValueRange{op.getSlot(), safe, head, unit});
    load.setAlignment(16);
    storeQuadTerms(nb, l, op, r, unit, load);
  });
  gpu::BarrierOp::create(b, loc);
}

/// Whether `op` crosses CTAs as tagged words: the schedule asks for it, and
/// each value is one term of a 16-bit element type (TaggedWords.h).
bool isTagged(ExchangeOp op, ScheduleAttr schedule) {
  Type element = cast<MemRefType>(op.getBuffer().getType()).getElementType();
  return schedule.getTaggedExchange() && schedule.getGridBarrier() &&
         schedule.getRPlacement() == "registers" && op.getParts() == 1 &&
         (element.isBF16() || element.isF16());
}

/// At the kernel's start: every CTA clears its own units' words of the
/// tile's rows in both slots, then one grid barrier, so that no word left
/// by an earlier launch can carry a tag this one waits for.
void clearTaggedWords(gpu::GPUFuncOp func, ScheduleAttr schedule) {
  OpBuilder b(func.getContext());
  b.setInsertionPointToStart(&func.getBody().front());
  Location loc = func.getLoc();
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value exchange = lookupKernelArg(func, "h_exchange");
  Value cta = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value tile = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  auto [tileStart, batchSize] = tileRows(b, loc, func, schedule, tile);
  int64_t units = schedule.getUnitsPerCta();
  int64_t rows = schedule.getBatchTile();
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  auto loop = scf::ForOp::create(b, loc, tid, cst(2 * rows * units),
                                 cst(schedule.getThreads()));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value i = loop.getInductionVar();
    Value slot = arith::DivUIOp::create(b, loc, i, cst(rows * units));
    Value r = arith::RemUIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, i, cst(units)), cst(rows));
    Value unit = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, cta, cst(units)),
        arith::RemUIOp::create(b, loc, i, cst(units)));
    Value batch = arith::AddIOp::create(b, loc, tileStart, r);
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         batch, batchSize);
    scf::IfOp::create(b, loc, inside, [&](OpBuilder &nb, Location l) {
      Value zero = arith::ConstantOp::create(
          nb, l, nb.getZeroAttr(
                     cast<MemRefType>(exchange.getType()).getElementType()));
      memref::StoreOp::create(nb, l, zero, exchange,
                              ValueRange{slot, batch, head, unit});
      scf::YieldOp::create(nb, l);
    });
  }
  emitGroupBarrier(b, loc, func, schedule, head, tile, cst(0));
}

/// Across CTAs as tagged words (isTagged): each value of the thread's rows
/// is stored with the exchange's tag; then every thread polls quads of 4
/// units of the tile's rows until they carry it and stores them into the
/// shared rows; one block barrier.
void lowerTaggedAcrossCtas(ExchangeOp op, gpu::GPUFuncOp func,
                           ScheduleAttr schedule) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value exchange = lookupKernelArg(func, "h_exchange");
  Type element =
      cast<MemRefType>(op.getBuffer().getType()).getElementType();
  int64_t tileRowCount = schedule.getBatchTile();
  int64_t dh = cast<MemRefType>(exchange.getType()).getDimSize(3);
  Value head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value tile = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  auto [tileStart, batchSize] = tileRows(b, loc, func, schedule, tile);
  Value tagBits = exchangeTagBits(b, loc, op.getEpoch());

  publishTileValues(
      b, loc, op, tileStart, batchSize,
      [&](OpBuilder &nb, Location l, Value v, Value batch) {
        storeTaggedWord(nb, l, v, element, tagBits,
                        globalElementAddress(
                            nb, l, exchange,
                            ValueRange{op.getSlot(), batch, head,
                                       op.getUnit()}));
      });

  // Poll the tile's rows: quad e is row e / (DH / 4), units 4 (e % (DH /
  // 4)) .. + 3. Rows past the batch are never published and not waited
  // for (they read row 0 and their values are never stored).
  int64_t quadsPerRow = dh / 4, quads = tileRowCount * quadsPerRow;
  int64_t threads = schedule.getThreads();
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  struct Quad {
    Value r, unit, inRange;
  };
  SmallVector<Quad> mine;
  SmallVector<Value> addresses, wanted;
  for (int64_t m = 0; m * threads < quads; ++m) {
    Value e = arith::AddIOp::create(b, loc, tid, cst(m * threads));
    Value inRange;
    if ((m + 1) * threads > quads) {
      // A partial last round: the threads past the tile's quads poll the
      // last quad too (the same words, the same tag) and store nothing.
      // Waiting for the last quad rather than masking the wait out keeps
      // the poll's exit condition the same in every round: with the mask
      // ptxas spilled (Li-GRU 768 on sm_90, 288 threads, 8 bytes at 168
      // registers; none with the clamp).
      inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, e,
                                      cst(quads));
      e = arith::MinUIOp::create(b, loc, e, cst(quads - 1));
    }
    Value r = arith::DivUIOp::create(b, loc, e, cst(quadsPerRow));
    Value unit = arith::MulIOp::create(
        b, loc, arith::RemUIOp::create(b, loc, e, cst(quadsPerRow)), cst(4));
    Value batch = arith::AddIOp::create(b, loc, tileStart, r);
    Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         batch, batchSize);
    Value safe = arith::SelectOp::create(b, loc, inside, batch, cst(0));
    Value safeUnit = arith::SelectOp::create(b, loc, inside, unit, cst(0));
    addresses.push_back(globalElementAddress(
        b, loc, exchange, ValueRange{op.getSlot(), safe, head, safeUnit}));
    wanted.push_back(inside);
    mine.push_back({r, unit, inRange});
  }
  SmallVector<Value> values =
      pollTaggedRuns(b, loc, addresses, wanted, tagBits, element);
  for (auto [quad, value] : llvm::zip(mine, values)) {
    if (!quad.inRange) {
      storeQuadTerms(b, loc, op, quad.r, quad.unit, value);
      continue;
    }
    scf::IfOp::create(b, loc, quad.inRange, [&](OpBuilder &nb, Location l) {
      storeQuadTerms(nb, l, op, quad.r, quad.unit, value);
      scf::YieldOp::create(nb, l);
    });
  }
  gpu::BarrierOp::create(b, loc);
}

void lowerAcrossCtas(ExchangeOp op, gpu::GPUFuncOp func,
                     ScheduleAttr schedule) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  ThreadPosition pos = buildThreadPosition(b, loc, func, schedule);
  Value exchange = lookupKernelArg(func, "h_exchange");
  // The global buffer is [2, B, NH, (K,) DH]: index it like the shared one
  // with (batch, head) in place of the row.
  auto globalIndex = [&](OpBuilder &ob, Location l, Value batch, Value unit,
                         unsigned k) {
    SmallVector<Value> idx = {op.getSlot(), batch, pos.head};
    if (cast<MemRefType>(exchange.getType()).getRank() == 5)
      idx.push_back(arith::ConstantIndexOp::create(ob, l, k));
    idx.push_back(unit);
    return idx;
  };

  // Publish this thread's values.
  scf::IfOp::create(b, loc, pos.valid, [&](OpBuilder &nb, Location l) {
    for (auto [k, v] : llvm::enumerate(op.getValues()))
      memref::StoreOp::create(nb, l, v, exchange,
                              globalIndex(nb, l, pos.batch, op.getUnit(), k));
    scf::YieldOp::create(nb, l);
  });
  emitGroupBarrier(b, loc, func, schedule, pos.head, pos.tile,
                   op.getEpoch());

  // Gather the whole row of this thread's batch row: thread u of the CTA
  // copies units u, u + U, u + 2U, ... of every value.
  int64_t units = schedule.getUnitsPerCta();
  for (unsigned k = 0; k < op.getValues().size(); ++k) {
    for (int64_t m = 0; m < schedule.getCtasPerHead(); ++m) {
      Value i = arith::AddIOp::create(b, loc, pos.unitInCta, cst(m * units));
      Value v = memref::LoadOp::create(
          b, loc, exchange, globalIndex(b, loc, pos.safeBatch, i, k));
      memref::StoreOp::create(
          b, loc, v, op.getBuffer(),
          elementIndex(b, loc, op, op.getSlot(), op.getRow(), i, k));
    }
  }
  gpu::BarrierOp::create(b, loc);
}

struct FlashRNNGridSync : flashrnn::impl::FlashRNNGridSyncBase<FlashRNNGridSync> {
  void runOnOperation() override {
    SmallVector<ExchangeOp> exchanges;
    getOperation().walk([&](ExchangeOp op) { exchanges.push_back(op); });
    llvm::SmallPtrSet<Operation *, 4> clustered, tagged, barriered;
    llvm::DenseMap<Operation *, AsyncExchangeBarriers> asyncBarriers;
    for (ExchangeOp op : exchanges) {
      auto func = op->getParentOfType<gpu::GPUFuncOp>();
      auto schedule =
          func ? func->getAttrOfType<ScheduleAttr>(kScheduleAttrName) : nullptr;
      if (schedule && schedule.getGridBarrier() &&
          (!lookupKernelArg(func, "h_exchange") ||
           !lookupKernelArg(func, "sync"))) {
        op.emitOpError("needs the kernel arguments 'h_exchange' and 'sync' "
                       "for a grid barrier");
        return signalPassFailure();
      }
      bool tileLayout = schedule && schedule.getRPlacement() == "registers";
      if (schedule && schedule.getGridBarrier() && tileLayout &&
          (op.getValues().size() != size_t(op.getRows()) ||
           cast<MemRefType>(lookupKernelArg(func, "h_exchange").getType())
                   .getRank() != 4)) {
        op.emitOpError("across CTAs in the tile layout needs one value per "
                       "row (rows = number of values) and a [2, B, NH, DH] "
                       "global buffer");
        return signalPassFailure();
      }
      if (schedule && schedule.getGridBarrier() && !tileLayout &&
          (!cast<MemRefType>(op.getBuffer().getType())
                .getElementType()
                .isF32() ||
           op.getRows() != 1 || op.getParts() != 1 || op.getMask())) {
        op.emitOpError("across CTAs needs an f32 buffer and one thread per "
                       "(batch row, unit), without rows, parts or a mask, "
                       "outside the tensor-core schedule's tile layout "
                       "(r_placement \"registers\")");
        return signalPassFailure();
      }
      if (!schedule) {
        op.emitOpError("must be inside a kernel built by "
                       "flashrnn-fuse-time-loop (no flashrnn.schedule)");
        return signalPassFailure();
      }
      if (schedule.getCluster() && !tileLayout) {
        op.emitOpError("in a thread-block cluster needs the tensor-core "
                       "schedule's tile layout (r_placement \"registers\")");
        return signalPassFailure();
      }
      if (schedule.getCluster() && schedule.getAsyncExchange()) {
        if (clustered.insert(func.getOperation()).second) {
          guardClusterLifetime(func);
          // Inserted at the start too, so before the cluster barrier.
          asyncBarriers[func.getOperation()] =
              prepareAsyncExchange(func, asyncExchangeBytes(op, schedule));
        }
        AsyncExchangeBarriers &barriers = asyncBarriers[func.getOperation()];
        if (barriers.txBytes != asyncExchangeBytes(op, schedule)) {
          op.emitOpError("in an asynchronous cluster exchange must move as "
                         "many bytes as the kernel's other exchanges (")
              << barriers.txBytes << " per step)";
          return signalPassFailure();
        }
        lowerTileInClusterAsync(op, schedule, barriers);
      } else if (schedule.getCluster()) {
        lowerTileInCluster(op, schedule);
        if (clustered.insert(func.getOperation()).second)
          guardClusterLifetime(func);
      } else if (schedule.getGridBarrier() && tileLayout &&
                 isTagged(op, schedule)) {
        lowerTaggedAcrossCtas(op, func, schedule);
        if (tagged.insert(func.getOperation()).second)
          clearTaggedWords(func, schedule);
      } else if (schedule.getGridBarrier() && tileLayout) {
        lowerTileAcrossCtas(op, func, schedule);
        barriered.insert(func.getOperation());
      }
      else if (schedule.getGridBarrier())
        lowerAcrossCtas(op, func, schedule);
      else
        lowerWithinCta(op);
      // The barrier at the start of a kernel with tagged exchanges is the
      // group counter's first (epoch 0): an exchange around the barrier in
      // the same kernel would count its epochs from 0 too.
      if (tagged.contains(func.getOperation()) &&
          barriered.contains(func.getOperation())) {
        op.emitOpError("cannot cross CTAs around the grid barrier in a "
                       "kernel whose other exchanges use tagged words "
                       "(one element-type term each)");
        return signalPassFailure();
      }
      op.erase();
    }
  }
};

} // namespace
