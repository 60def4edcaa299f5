//===- StagedStores.cpp - per-step output rows staged in shared memory ----===//
//
// See StagedStores.h.
//
//===----------------------------------------------------------------------===//
#include "lowering/FuseTimeLoop/StagedStores.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cassert>

using namespace mlir;
using namespace mlir::flashrnn;

/// One run: 16 bytes, the widest global store a thread issues.
static constexpr int64_t kRunBytes = 16;

static int64_t bytesOf(Type t) { return t.getIntOrFloatBitWidth() / 8; }

/// Elements of a padded stage row: the units plus one run, so that rows
/// start 16 bytes further round the banks each (the rows a warp writes in
/// one store then fall in different banks).
static int64_t rowElements(Type t, int64_t units) {
  return units + kRunBytes / bytesOf(t);
}

StagedRowStores::StagedRowStores(KernelEmitter &em,
                                 ArrayRef<StagedStream> streams, int64_t rows,
                                 int64_t units, int64_t byteOffset,
                                 int64_t threads, Value tid, Value firstUnit,
                                 Value tileStart, Value batchSize)
    : em(em), streams(streams), rows(rows), units(units), threads(threads),
      tid(tid), firstUnit(firstUnit), tileStart(tileStart),
      batchSize(batchSize) {
  assert(byteOffset % kRunBytes == 0 && "stage must be 16-byte aligned");
  for (const StagedStream &s : streams) {
    Type t = cast<MemRefType>(s.memref.getType()).getElementType();
    assert((units * bytesOf(t)) % kRunBytes == 0 &&
           "a row of the CTA's units must be whole runs");
    buffers.push_back(
        em.sharedView({2, rows, rowElements(t, units)}, t, byteOffset));
    byteOffset += 2 * rows * rowElements(t, units) * bytesOf(t);
  }
}

void StagedRowStores::stage(int64_t stream, Value slot, Value row,
                            Value unit, ValueRange values) {
  assert((values.size() == 1 || values.size() == 2) &&
         "a staged run is one value or two");
  if (values.size() == 1) {
    em.storeF32(values[0], buffers[stream], {slot, row, unit});
    return;
  }
  OpBuilder &b = em.b;
  Type t = cast<MemRefType>(buffers[stream].getType()).getElementType();
  Value pair = vector::FromElementsOp::create(
      b, em.loc, VectorType::get({2}, b.getF32Type()), values);
  if (!t.isF32())
    pair = arith::TruncFOp::create(b, em.loc, VectorType::get({2}, t), pair);
  vector::StoreOp::create(b, em.loc, pair, buffers[stream],
                          ValueRange{slot, row, unit})
      .setAlignment(2 * bytesOf(t));
}

void StagedRowStores::flush(Value slot, Value t, Value enabled) {
  OpBuilder &b = em.b;
  Location loc = em.loc;
  int64_t before = 0; // runs of the streams before this one
  for (auto [k, s] : llvm::enumerate(streams)) {
    Type type = cast<MemRefType>(s.memref.getType()).getElementType();
    int64_t perRun = kRunBytes / bytesOf(type);
    int64_t runsPerRow = units / perRun, runs = rows * runsPerRow;
    // Stream k starts where stream k - 1's runs ended, round the threads:
    // thread tid takes run (tid - before) mod threads (+ threads r).
    Value first = arith::RemUIOp::create(
        b, loc,
        arith::AddIOp::create(b, loc, tid,
                              em.cst(threads - before % threads)),
        em.cst(threads));
    for (int64_t r = 0; r * threads < runs; ++r) {
      Value run = arith::AddIOp::create(b, loc, first, em.cst(r * threads));
      Value row = arith::DivUIOp::create(b, loc, run, em.cst(runsPerRow));
      Value unit = arith::MulIOp::create(
          b, loc, arith::RemUIOp::create(b, loc, run, em.cst(runsPerRow)),
          em.cst(perRun));
      Value batch = arith::AddIOp::create(b, loc, tileStart, row);
      Value ok = arith::AndIOp::create(
          b, loc, enabled,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, batch,
                                batchSize));
      if ((r + 1) * threads > runs)
        ok = arith::AndIOp::create(
            b, loc, ok,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, run,
                                  em.cst(runs)));
      em.ifValid(ok, [&] {
        auto vecType = VectorType::get({perRun}, type);
        auto load = vector::LoadOp::create(b, loc, vecType, buffers[k],
                                           ValueRange{slot, row, unit});
        load.setAlignment(kRunBytes);
        Value globalUnit = arith::AddIOp::create(b, loc, firstUnit, unit);
        auto store = vector::StoreOp::create(
            b, loc, load, s.memref, s.indices(batch, t, globalUnit));
        store.setAlignment(kRunBytes);
      });
    }
    before += runs;
  }
}
