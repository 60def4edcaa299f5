//===- ForwardKernel.cpp - the fused persistent forward kernel ------------===//
//
// One thread owns one (batch row, hidden unit) element for the whole
// sequence: its states live in registers (loop-carried values of the time
// loop), and each step it
//   1. computes R[k] . h_{t-1} for all recurrent gates k of its unit, reading
//      h_{t-1} of its batch row from shared memory,
//   2. adds the input part (Wx) and the biases,
//   3. applies the cell body, cloned from the flashrnn.cell,
//   4. writes its states of step t (and, in training mode, saves the gate
//      values and the f32 states for the backward), and
//   5. publishes its new h with flashrnn.exchange (lowered by grid-sync).
//
//===----------------------------------------------------------------------===//
#include "lowering/FuseTimeLoop/KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::flashrnn;

gpu::GPUFuncOp mlir::flashrnn::buildForwardKernel(gpu::GPUModuleOp module,
                                                  StringRef name,
                                                  SequenceOp sequence,
                                                  CellOp cell,
                                                  ScheduleAttr schedule,
                                                  bool training) {
  SequenceShape shape(sequence);
  Type e = shape.elementType;
  int64_t dh = shape.headDim;
  int64_t gr = shape.rGates;
  int64_t s = shape.states;
  CellLayout layout(cell);
  KernelEmitter em(sequence.getContext(), sequence.getLoc(), e);
  OpBuilder &b = em.b;
  Location loc = em.loc;

  SmallVector<KernelArgSpec> args =
      forwardKernelArgs(b, shape, layout, training);
  gpu::GPUFuncOp func =
      em.createKernel(module, name, args, schedule, schedule.getThreads());
  func->setAttr(kRUnitDimAttrName, b.getI64IntegerAttr(2));
  auto arg = [&](StringRef n) -> Value { return lookupKernelArg(func, n); };

  ThreadPosition pos = buildThreadPosition(b, loc, func, schedule);
  // h of the tile's rows, f32, double-buffered, at the start of the dynamic
  // shared memory (cache-recurrent-weights puts R after it).
  Value hs = em.sharedF32({2, schedule.getBatchTile(), dh});

  // Biases do not change over time: load them once.
  auto gates = llvm::to_vector(cell.getGates().getAsRange<GateAttr>());
  SmallVector<Value> inputBias, recurrentBias;
  loadBiases(em, cell, layout, arg("b"), pos.head, pos.unit, inputBias,
             recurrentBias);

  // Initial states, and h_0 published for the first step.
  SmallVector<Value> initial;
  for (int64_t st = 0; st < s; ++st)
    initial.push_back(
        em.loadF32(arg("s0"), {em.cst(st), pos.safeBatch, pos.head, pos.unit}));
  ExchangeOp::create(b, loc, ValueRange{initial[layout.recurrentState]}, hs,
                     em.cst(0), pos.row, pos.unit, em.cst(0));

  Value steps = memref::DimOp::create(b, loc, arg("wx"), 1);
  auto timeLoop = scf::ForOp::create(b, loc, em.cst(0), steps, em.cst(1),
                                     initial);
  timeLoop->setAttr(kTimeLoopAttrName, b.getUnitAttr());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(timeLoop.getBody());
    Value t = timeLoop.getInductionVar();
    ValueRange states = timeLoop.getRegionIterArgs();
    Value slot = arith::RemUIOp::create(b, loc, t, em.cst(2));

    // 1. The recurrent matmul: one pass over h_{t-1} feeds every gate.
    SmallVector<Value> zeros(gr, em.cstF32(0.0));
    auto matmul =
        scf::ForOp::create(b, loc, em.cst(0), em.cst(dh), em.cst(1), zeros);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(matmul.getBody());
      Value i = matmul.getInductionVar();
      Value h = memref::LoadOp::create(b, loc, hs, ValueRange{slot, pos.row, i});
      SmallVector<Value> next;
      for (int64_t k = 0; k < gr; ++k) {
        Value w = em.loadF32(arg("r"), {em.cst(k), pos.head, pos.unit, i});
        next.push_back(math::FmaOp::create(b, loc, w, h,
                                           matmul.getRegionIterArgs()[k]));
      }
      scf::YieldOp::create(b, loc, next);
    }

    // 2. Input part and biases, per gate, in the order the body expects.
    SmallVector<Value> recurrent;
    for (size_t k = 0; k < gates.size(); ++k)
      recurrent.push_back(layout.rRow[k] >= 0
                              ? Value(matmul.getResult(layout.rRow[k]))
                              : Value());
    SmallVector<Value> gateValues = assembleGateValues(
        em, cell, layout,
        [&](size_t k) -> Value {
          if (layout.wxRow[k] < 0)
            return Value();
          return em.loadF32(arg("wx"), {pos.safeBatch, t,
                                        em.cst(layout.wxRow[k]), pos.head,
                                        pos.unit});
        },
        recurrent, inputBias, recurrentBias);

    // 3. The cell body.
    SmallVector<Value> next = applyCellBody(em, cell, states, gateValues);

    // 4. This step's states; in training mode also what the backward needs.
    em.ifValid(pos.valid, [&] {
      for (auto [st, v] : llvm::enumerate(next))
        em.storeF32(v, arg("states"),
                    {em.cst(st), pos.batch, t, pos.head, pos.unit});
      if (!training)
        return;
      for (auto [g, v] : llvm::enumerate(gateValues))
        memref::StoreOp::create(
            b, loc, v, arg("saved_gates"),
            ValueRange{pos.batch, t, em.cst(g), pos.head, pos.unit});
      for (auto [st, v] : llvm::enumerate(next))
        memref::StoreOp::create(
            b, loc, v, arg("saved_states"),
            ValueRange{em.cst(st), pos.batch, t, pos.head, pos.unit});
    });

    // 5. Publish h_t for step t + 1.
    Value nextSlot = arith::SubIOp::create(b, loc, em.cst(1), slot);
    Value epoch = arith::AddIOp::create(b, loc, t, em.cst(1));
    ExchangeOp::create(b, loc, ValueRange{next[layout.recurrentState]}, hs,
                       nextSlot, pos.row, pos.unit, epoch);
    scf::YieldOp::create(b, loc, next);
  }

  // Final states.
  em.ifValid(pos.valid, [&] {
    for (auto [st, v] : llvm::enumerate(timeLoop.getResults()))
      em.storeF32(v, arg("last"), {em.cst(st), pos.batch, pos.head, pos.unit});
  });
  gpu::ReturnOp::create(b, loc);
  return func;
}
