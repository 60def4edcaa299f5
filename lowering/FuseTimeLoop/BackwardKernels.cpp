//===- BackwardKernels.cpp - the fused backward and its reduction ---------===//
//
// Backward through time, for any cell, from the adjoint that
// flashrnn-derive-backward derived:
//
// The persistent backward kernel mirrors the forward: one thread per
// (batch row, unit), a reverse time loop, the states' gradients carried in
// registers. Per step t it recomputes the body's adjoint from the saved
// states s_{t-1} and gate values (no matmul needed), writes dWx and the gate
// gradients, exchanges the gradients of the recurrent gate parts dg_t across
// the head (flashrnn.exchange: one barrier per step) and forms
// dh_{t-1} = sum_k R[k]^T dg_t[k] with R's columns of its units cached in
// shared memory (flashrnn-cache-recurrent-weights, r_unit_dim = 3).
//
// The reduction kernel then forms dR = sum_{b,t} dg_t h_{t-1}^T and db from
// the saved gate gradients, accumulating in f32: a second kernel of the same
// package, no host synchronisation in between, no cuBLAS.
//
//===----------------------------------------------------------------------===//
#include "lowering/FuseTimeLoop/KernelBuilder.h"
#include "lowering/Common/BackwardProgress.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::flashrnn;

gpu::GPUFuncOp mlir::flashrnn::buildBackwardKernel(gpu::GPUModuleOp module,
                                                   StringRef name,
                                                   SequenceOp sequence,
                                                   CellOp cell,
                                                   func::FuncOp adjoint,
                                                   ScheduleAttr schedule,
                                                   bool /*publishSteps*/) {
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

  SmallVector<KernelArgSpec> args = backwardKernelArgs(b, shape, layout);
  gpu::GPUFuncOp func =
      em.createKernel(module, name, args, schedule, schedule.getThreads());
  func->setAttr(kRUnitDimAttrName, b.getI64IntegerAttr(3));
  auto arg = [&](StringRef n) -> Value { return lookupKernelArg(func, n); };

  ThreadPosition pos = buildThreadPosition(b, loc, func, schedule);
  // The reduction may run beside this kernel (BackwardProgress.h): it counts
  // as started now and publishes its steps once, at the end.
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  emitProgressStarted(b, loc, arg("progress"), tid);
  // The gradients of the recurrent gate parts of the tile's rows, f32,
  // double-buffered: [slot][row][gate][unit].
  Value dgs = em.sharedF32({2, schedule.getBatchTile(), gr, dh});

  SmallVector<Value> carried;
  for (int64_t st = 0; st < s; ++st)
    carried.push_back(em.loadF32(
        arg("dlast"), {em.cst(st), pos.safeBatch, pos.head, pos.unit}));
  SmallVector<Value> constants;
  for (ConstantAttr c : cell.getConstants().getAsRange<ConstantAttr>())
    constants.push_back(em.cstF32(c.getValue().getValueAsDouble()));

  Value steps = memref::DimOp::create(b, loc, arg("dstates"), 2);
  auto timeLoop =
      scf::ForOp::create(b, loc, em.cst(0), steps, em.cst(1), carried);
  timeLoop->setAttr(kTimeLoopAttrName, b.getUnitAttr());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(timeLoop.getBody());
    Value it = timeLoop.getInductionVar();
    ValueRange dsNext = timeLoop.getRegionIterArgs();
    // t = T - 1 - it
    Value t = arith::SubIOp::create(
        b, loc, arith::SubIOp::create(b, loc, steps, em.cst(1)), it);
    Value slot = arith::RemUIOp::create(b, loc, it, em.cst(2));

    // The gradient of the step's new states: carried + external.
    SmallVector<Value> ds;
    for (int64_t st = 0; st < s; ++st)
      ds.push_back(arith::AddFOp::create(
          b, loc, dsNext[st],
          em.loadF32(arg("dstates"),
                     {em.cst(st), pos.safeBatch, t, pos.head, pos.unit})));

    // s_{t-1}: the saved states of step t-1, or s0 at t = 0.
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t, em.cst(0));
    auto prevIf = scf::IfOp::create(b, loc, SmallVector<Type>(s, f32), first,
                                    /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(prevIf.thenBlock());
      SmallVector<Value> fromS0;
      for (int64_t st = 0; st < s; ++st)
        fromS0.push_back(em.loadF32(
            arg("s0"), {em.cst(st), pos.safeBatch, pos.head, pos.unit}));
      scf::YieldOp::create(b, loc, fromS0);
      b.setInsertionPointToStart(prevIf.elseBlock());
      Value tm1 = arith::SubIOp::create(b, loc, t, em.cst(1));
      SmallVector<Value> saved;
      for (int64_t st = 0; st < s; ++st)
        saved.push_back(em.loadF32(arg("saved_states"), {em.cst(st),
                                                         pos.safeBatch, tm1,
                                                         pos.head, pos.unit}));
      scf::YieldOp::create(b, loc, saved);
    }

    // The adjoint of the body, recomputed from the saved values.
    SmallVector<Value> savedGates;
    for (int64_t g = 0; g < na; ++g)
      savedGates.push_back(em.loadF32(
          arg("saved_gates"), {pos.safeBatch, t, em.cst(g), pos.head, pos.unit}));
    SmallVector<Value> grads =
        applyAdjoint(em, adjoint, SmallVector<Value>(prevIf.getResults()),
                     savedGates, constants, ds);
    ArrayRef<Value> dsPrev = ArrayRef<Value>(grads).take_front(s);
    ArrayRef<Value> dGates = ArrayRef<Value>(grads).drop_front(s);

    // dWx and the gate gradients for the reduction.
    auto gates = llvm::to_vector(cell.getGates().getAsRange<GateAttr>());
    em.ifValid(pos.valid, [&] {
      storeGateGradients(em, cell, layout, dGates, arg("dgates"), arg("dwx"),
                         pos.batch, t, pos.head, pos.unit);
    });

    // Share dg of the recurrent parts, then dh_{t-1} = sum_k R[k]^T dg[k].
    SmallVector<Value> dRec(gr);
    for (size_t k = 0; k < gates.size(); ++k)
      if (layout.rRow[k] >= 0)
        dRec[layout.rRow[k]] = dGates[layout.recurrentValue[k]];
    ExchangeOp::create(b, loc, dRec, dgs, slot, pos.row, pos.unit, it);
    auto matmul = scf::ForOp::create(b, loc, em.cst(0), em.cst(dh), em.cst(1),
                                     ValueRange{em.cstF32(0.0)});
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(matmul.getBody());
      Value j = matmul.getInductionVar();
      Value acc = matmul.getRegionIterArgs()[0];
      for (int64_t k = 0; k < gr; ++k) {
        Value g = memref::LoadOp::create(
            b, loc, dgs, ValueRange{slot, pos.row, em.cst(k), j});
        Value w = em.loadF32(arg("r"), {em.cst(k), pos.head, j, pos.unit});
        acc = math::FmaOp::create(b, loc, w, g, acc);
      }
      scf::YieldOp::create(b, loc, acc);
    }

    SmallVector<Value> next(dsPrev.begin(), dsPrev.end());
    next[layout.recurrentState] = arith::AddFOp::create(
        b, loc, next[layout.recurrentState], matmul.getResult(0));
    scf::YieldOp::create(b, loc, next);
  }

  em.ifValid(pos.valid, [&] {
    for (auto [st, v] : llvm::enumerate(timeLoop.getResults()))
      em.storeF32(v, arg("ds0"), {em.cst(st), pos.batch, pos.head, pos.unit});
  });
  // Every step's gate gradients are stored.
  gpu::BarrierOp::create(b, loc);
  emitProgressPublish(b, loc, func, schedule, pos.head, pos.tile, pos.cta, tid,
                      steps, arith::ConstantIntOp::create(b, loc, 1, 1));
  gpu::ReturnOp::create(b, loc);
  return func;
}

gpu::GPUFuncOp mlir::flashrnn::buildReduceKernel(gpu::GPUModuleOp module,
                                                 StringRef name,
                                                 SequenceOp sequence,
                                                 CellOp cell) {
  SequenceShape shape(sequence);
  Type e = shape.elementType;
  int64_t dh = shape.headDim;
  int64_t gr = shape.rGates;
  int64_t gb = shape.biasRows;
  CellLayout layout(cell);
  KernelEmitter em(sequence.getContext(), sequence.getLoc(), e);
  OpBuilder &b = em.b;
  Location loc = em.loc;

  SmallVector<KernelArgSpec> args = reduceKernelArgs(b, shape, layout);
  gpu::GPUFuncOp func =
      em.createKernel(module, name, args, ScheduleAttr(), kReduceThreads);
  auto arg = [&](StringRef n) -> Value { return lookupKernelArg(func, n); };
  auto gates = llvm::to_vector(cell.getGates().getAsRange<GateAttr>());
  int64_t hIndex = layout.recurrentState;

  // Thread e of the grid owns element (j, i) of every gate's dR for head n.
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value block = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value flat = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, block, em.cst(kReduceThreads)),
      tid);
  Value batchSize = memref::DimOp::create(b, loc, arg("dgates"), 0);
  Value steps = memref::DimOp::create(b, loc, arg("dgates"), 1);

  // Gate-value index of the recurrent part of each R row.
  SmallVector<int64_t> rowValue = recurrentRowValues(cell, layout);

  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, flat,
                                        em.cst(dh * dh));
  em.ifValid(inRange, [&] {
    Value j = arith::DivUIOp::create(b, loc, flat, em.cst(dh));
    Value i = arith::RemUIOp::create(b, loc, flat, em.cst(dh));
    SmallVector<Value> zeros(gr, em.cstF32(0.0));
    auto overBatch =
        scf::ForOp::create(b, loc, em.cst(0), batchSize, em.cst(1), zeros);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(overBatch.getBody());
      Value bi = overBatch.getInductionVar();
      // t = 0 pairs with h_{-1} = s0.
      Value h0 = em.loadF32(arg("s0"), {em.cst(hIndex), bi, head, i});
      SmallVector<Value> accs;
      for (int64_t k = 0; k < gr; ++k) {
        Value g = memref::LoadOp::create(
            b, loc, arg("dgates"),
            ValueRange{bi, em.cst(0), em.cst(rowValue[k]), head, j});
        accs.push_back(math::FmaOp::create(
            b, loc, g, h0, overBatch.getRegionIterArgs()[k]));
      }
      auto overTime =
          scf::ForOp::create(b, loc, em.cst(1), steps, em.cst(1), accs);
      {
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPointToStart(overTime.getBody());
        Value t = overTime.getInductionVar();
        Value tm1 = arith::SubIOp::create(b, loc, t, em.cst(1));
        Value h = memref::LoadOp::create(
            b, loc, arg("saved_states"),
            ValueRange{em.cst(hIndex), bi, tm1, head, i});
        SmallVector<Value> next;
        for (int64_t k = 0; k < gr; ++k) {
          Value g = memref::LoadOp::create(
              b, loc, arg("dgates"),
              ValueRange{bi, t, em.cst(rowValue[k]), head, j});
          next.push_back(math::FmaOp::create(
              b, loc, g, h, overTime.getRegionIterArgs()[k]));
        }
        scf::YieldOp::create(b, loc, next);
      }
      scf::YieldOp::create(b, loc, overTime.getResults());
    }
    for (int64_t k = 0; k < gr; ++k)
      em.storeF32(overBatch.getResult(k), arg("dr"), {em.cst(k), head, j, i});
  });

  // db: the first block of each head sums the bias gradients of its units.
  if (gb > 0) {
    Value firstBlock = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             block, em.cst(0));
    em.ifValid(firstBlock, [&] {
      auto overUnits = scf::ForOp::create(b, loc, tid, em.cst(dh),
                                          em.cst(kReduceThreads));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(overUnits.getBody()->getTerminator());
      Value j = overUnits.getInductionVar();
      // (b row, gate value) pairs to sum.
      SmallVector<std::pair<int64_t, int64_t>> rows =
          biasGradientRows(cell, layout);
      SmallVector<Value> zeros(rows.size(), em.cstF32(0.0));
      auto overBatch =
          scf::ForOp::create(b, loc, em.cst(0), batchSize, em.cst(1), zeros);
      {
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPointToStart(overBatch.getBody());
        Value bi = overBatch.getInductionVar();
        auto overTime = scf::ForOp::create(b, loc, em.cst(0), steps, em.cst(1),
                                           overBatch.getRegionIterArgs());
        {
          OpBuilder::InsertionGuard inner2(b);
          b.setInsertionPointToStart(overTime.getBody());
          Value t = overTime.getInductionVar();
          SmallVector<Value> next;
          for (auto [r, row] : llvm::enumerate(rows)) {
            Value g = memref::LoadOp::create(
                b, loc, arg("dgates"),
                ValueRange{bi, t, em.cst(row.second), head, j});
            next.push_back(arith::AddFOp::create(
                b, loc, overTime.getRegionIterArgs()[r], g));
          }
          scf::YieldOp::create(b, loc, next);
        }
        scf::YieldOp::create(b, loc, overTime.getResults());
      }
      for (auto [r, row] : llvm::enumerate(rows))
        em.storeF32(overBatch.getResult(r), arg("db"),
                    {em.cst(row.first), head, j});
    });
  }
  gpu::ReturnOp::create(b, loc);
  return func;
}
