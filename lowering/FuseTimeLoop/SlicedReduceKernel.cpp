//===- SlicedReduceKernel.cpp - dR and db with the B x T sum in slices ----===//
//
// The reduction after the backward,
//   dR[k, n, j, i] = sum_{b,t} dg[b, t, k, n, j] h_{t-1}[b, n, i]
//   db[r, n, j]    = sum_{b,t} dg[b, t, v(r), n, j],
// with the B x T sum (16384 terms at B = 16, T = 1024) split into kSlices
// interleaved slices. The serial kernel (buildReduceKernel) gives each output
// element one thread that walks all B x T terms in a dependent chain, and db
// to the DH threads of one block per head; its time grows with B much faster
// than the forward's (docs/PERFORMANCE.md). Here:
//   * a block of kReduceThreads threads owns kReduceThreads / kSlices
//     consecutive output elements (j, i), and each of its kSlices thread
//     groups sums every kSlices-th (b, t) term: four times the blocks of the
//     serial kernel, a quarter of the chain per thread;
//   * the partial sums meet in shared memory ([slice][value][element], f32)
//     after one barrier; the first slice adds them up and stores;
//   * db rides along: the thread whose element has i = 0 also sums the bias
//     gradients of unit j, so no block is left with a serial B x T x DH walk.
// Within a warp the h loads are consecutive in i (coalesced) and the dg loads
// share one address (a broadcast), as in the serial kernel.
//
// The default where the tensor-core reduction (MmaReduceKernel.cpp) does not
// apply (f32 sequences, and with flashrnn-compile --no-mma); also
// --reduction=sliced. Checked on an H100 (LSTM, GRU, sLSTM): 3.9 ms against
// the serial kernel's 9.2 at LSTM 64x12, B = 16 (docs/PERFORMANCE.md).
//
//===----------------------------------------------------------------------===//
#include "lowering/FuseTimeLoop/KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::flashrnn;

gpu::GPUFuncOp mlir::flashrnn::buildSlicedReduceKernel(
    gpu::GPUModuleOp module, StringRef name, SequenceOp sequence, CellOp cell,
    int64_t &sharedBytes) {
  SequenceShape shape(sequence);
  Type e = shape.elementType;
  int64_t dh = shape.headDim;
  int64_t gr = shape.rGates;
  CellLayout layout(cell);
  KernelEmitter em(sequence.getContext(), sequence.getLoc(), e);
  OpBuilder &b = em.b;
  Location loc = em.loc;
  Type f32 = b.getF32Type();
  const int64_t elementsPerBlock = kReduceThreads / kReduceSlices;

  SmallVector<KernelArgSpec> args = reduceKernelArgs(b, shape, layout);
  gpu::GPUFuncOp func =
      em.createKernel(module, name, args, ScheduleAttr(), kReduceThreads);
  auto arg = [&](StringRef n) -> Value { return lookupKernelArg(func, n); };
  auto gates = llvm::to_vector(cell.getGates().getAsRange<GateAttr>());
  int64_t hIndex = layout.recurrentState;

  // Gate-value index of the recurrent part of each R row, and the (b row,
  // gate value) pairs of db.
  SmallVector<int64_t> rowValue = recurrentRowValues(cell, layout);
  SmallVector<std::pair<int64_t, int64_t>> biasRows =
      biasGradientRows(cell, layout);
  const int64_t numDb = int64_t(biasRows.size());
  const int64_t values = gr + numDb;
  sharedBytes = kReduceSlices * values * elementsPerBlock * 4;

  // Thread (slice, element): element e of the block is output (j, i).
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value block = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value slice = arith::DivUIOp::create(b, loc, tid, em.cst(elementsPerBlock));
  Value element = arith::RemUIOp::create(b, loc, tid, em.cst(elementsPerBlock));
  Value flat = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, block, em.cst(elementsPerBlock)),
      element);
  Value valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, flat,
                                      em.cst(dh * dh));
  Value safeFlat = arith::SelectOp::create(b, loc, valid, flat, em.cst(0));
  Value j = arith::DivUIOp::create(b, loc, safeFlat, em.cst(dh));
  Value i = arith::RemUIOp::create(b, loc, safeFlat, em.cst(dh));
  Value firstColumn = arith::AndIOp::create(
      b, loc, valid,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, i, em.cst(0)));
  Value batchSize = memref::DimOp::create(b, loc, arg("dgates"), 0);
  Value steps = memref::DimOp::create(b, loc, arg("dgates"), 1);
  Value terms = arith::MulIOp::create(b, loc, batchSize, steps);

  // This slice's terms: q = slice, slice + kReduceSlices, ... < B x T.
  SmallVector<Value> zeros(values, em.cstF32(0.0));
  auto overTerms = scf::ForOp::create(b, loc, slice, terms,
                                      em.cst(kReduceSlices), zeros);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(overTerms.getBody());
    Value q = overTerms.getInductionVar();
    ValueRange acc = overTerms.getRegionIterArgs();
    Value bi = arith::DivUIOp::create(b, loc, q, steps);
    Value t = arith::RemUIOp::create(b, loc, q, steps);
    // h_{t-1}[b, n, i]; at t = 0 it is s0.
    Value atStart =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t, em.cst(0));
    auto hPrev = scf::IfOp::create(b, loc, TypeRange{f32}, atStart,
                                   /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(hPrev.thenBlock());
      scf::YieldOp::create(
          b, loc, em.loadF32(arg("s0"), {em.cst(hIndex), bi, head, i}));
      b.setInsertionPointToStart(hPrev.elseBlock());
      Value tm1 = arith::SubIOp::create(b, loc, t, em.cst(1));
      scf::YieldOp::create(
          b, loc,
          ValueRange{memref::LoadOp::create(
              b, loc, arg("saved_states"),
              ValueRange{em.cst(hIndex), bi, tm1, head, i})});
    }
    Value h = hPrev.getResult(0);
    SmallVector<Value> next;
    for (int64_t k = 0; k < gr; ++k) {
      Value g = memref::LoadOp::create(
          b, loc, arg("dgates"),
          ValueRange{bi, t, em.cst(rowValue[k]), head, j});
      next.push_back(math::FmaOp::create(b, loc, g, h, acc[k]));
    }
    if (numDb > 0) {
      // db: only the element with i = 0 of each unit j sums it.
      SmallVector<Type> types(numDb, f32);
      auto bias = scf::IfOp::create(b, loc, types, firstColumn,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(bias.thenBlock());
      SmallVector<Value> sums;
      for (auto [r, row] : llvm::enumerate(biasRows)) {
        Value g = memref::LoadOp::create(
            b, loc, arg("dgates"),
            ValueRange{bi, t, em.cst(row.second), head, j});
        sums.push_back(arith::AddFOp::create(b, loc, acc[gr + r], g));
      }
      scf::YieldOp::create(b, loc, sums);
      b.setInsertionPointToStart(bias.elseBlock());
      scf::YieldOp::create(b, loc, acc.drop_front(gr));
      b.setInsertionPointAfter(bias);
      llvm::append_range(next, bias.getResults());
    }
    scf::YieldOp::create(b, loc, next);
  }

  // The slices' partial sums meet in shared memory: [slice][value][element].
  Value partial = em.sharedF32({kReduceSlices, values, elementsPerBlock});
  for (int64_t v = 0; v < values; ++v)
    memref::StoreOp::create(b, loc, overTerms.getResult(v), partial,
                            ValueRange{slice, em.cst(v), element});
  gpu::BarrierOp::create(b, loc);
  Value firstSlice = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           slice, em.cst(0));
  Value storer = arith::AndIOp::create(b, loc, firstSlice, valid);
  auto total = [&](int64_t v) {
    Value sum = memref::LoadOp::create(b, loc, partial,
                                       ValueRange{em.cst(0), em.cst(v), element});
    for (int64_t p = 1; p < kReduceSlices; ++p)
      sum = arith::AddFOp::create(
          b, loc, sum,
          memref::LoadOp::create(b, loc, partial,
                                 ValueRange{em.cst(p), em.cst(v), element}));
    return sum;
  };
  em.ifValid(storer, [&] {
    for (int64_t k = 0; k < gr; ++k)
      em.storeF32(total(k), arg("dr"), {em.cst(k), head, j, i});
  });
  if (numDb > 0) {
    Value dbStorer = arith::AndIOp::create(b, loc, firstSlice, firstColumn);
    em.ifValid(dbStorer, [&] {
      for (auto [r, row] : llvm::enumerate(biasRows))
        em.storeF32(total(gr + int64_t(r)), arg("db"),
                    {em.cst(row.first), head, j});
    });
  }
  gpu::ReturnOp::create(b, loc);
  return func;
}
