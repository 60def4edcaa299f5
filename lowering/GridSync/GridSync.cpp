//===- GridSync.cpp - the flashrnn-grid-sync pass -------------------------===//
//
// Lowers flashrnn.exchange_h, the one synchronisation point of a step.
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
//===----------------------------------------------------------------------===//
#include "lowering/Common/KernelABI.h"
#include "lowering/Passes.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNGRIDSYNC
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

void lowerWithinCta(ExchangeHOp op) {
  OpBuilder b(op);
  memref::StoreOp::create(b, op.getLoc(), op.getValue(), op.getBuffer(),
                          ValueRange{op.getSlot(), op.getRow(), op.getUnit()});
  gpu::BarrierOp::create(b, op.getLoc());
}

void lowerAcrossCtas(ExchangeHOp op, gpu::GPUFuncOp func,
                     ScheduleAttr schedule) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto cstI32 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v, 32);
  };
  ThreadPosition pos = buildThreadPosition(b, loc, func, schedule);
  Value exchange = getKernelArg(func, KernelArg::HExchange);
  Value sync = getKernelArg(func, KernelArg::Sync);

  // Publish this thread's element.
  scf::IfOp::create(b, loc, pos.valid, [&](OpBuilder &nb, Location l) {
    memref::StoreOp::create(
        nb, l, op.getValue(), exchange,
        ValueRange{op.getSlot(), pos.batch, pos.head, op.getUnit()});
    scf::YieldOp::create(nb, l);
  });
  gpu::BarrierOp::create(b, loc);

  // The group's counter: one per (head, batch tile of the whole batch).
  int64_t batchTile = schedule.getBatchTile();
  Value batchSize =
      memref::DimOp::create(b, loc, getKernelArg(func, KernelArg::Wx), 0);
  Value tiles = arith::DivUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, batchSize, cst(batchTile - 1)),
      cst(batchTile));
  Value begin = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), getKernelArg(func, KernelArg::BatchBegin));
  Value globalTile = arith::AddIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, begin, cst(batchTile)), pos.tile);
  Value group = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, pos.head, tiles), globalTile);
  Value epoch = arith::IndexCastOp::create(b, loc, b.getI32Type(),
                                           op.getEpoch());
  Value target = arith::MulIOp::create(
      b, loc, cstI32(schedule.getCtasPerHead()),
      arith::AddIOp::create(b, loc, epoch, cstI32(1)));

  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value leader =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, cst(0));
  scf::IfOp::create(b, loc, leader, [&](OpBuilder &nb, Location l) {
    NVVM::MembarOp::create(nb, l, NVVM::MemScopeKind::GPU);
    memref::AtomicRMWOp::create(nb, l, arith::AtomicRMWKind::addi,
                                arith::ConstantIntOp::create(nb, l, 1, 32),
                                sync, ValueRange{group});
    // Spin until every CTA of the group has arrived. The read is an atomic
    // (add 0) so that it is neither cached nor hoisted out of the loop.
    auto spin = scf::WhileOp::create(nb, l, TypeRange{}, ValueRange{});
    Block *before = nb.createBlock(&spin.getBefore());
    nb.setInsertionPointToStart(before);
    Value seen = memref::AtomicRMWOp::create(
        nb, l, arith::AtomicRMWKind::addi,
        arith::ConstantIntOp::create(nb, l, 0, 32), sync, ValueRange{group});
    Value waiting = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                          seen, target);
    scf::ConditionOp::create(nb, l, waiting, ValueRange{});
    Block *after = nb.createBlock(&spin.getAfter());
    nb.setInsertionPointToStart(after);
    scf::YieldOp::create(nb, l);
    nb.setInsertionPointAfter(spin);
    NVVM::MembarOp::create(nb, l, NVVM::MemScopeKind::GPU);
    scf::YieldOp::create(nb, l);
  });
  gpu::BarrierOp::create(b, loc);

  // Gather the whole h row of this thread's batch row: thread u of the CTA
  // copies units u, u + U, u + 2U, ...
  int64_t units = schedule.getUnitsPerCta();
  for (int64_t m = 0; m < schedule.getCtasPerHead(); ++m) {
    Value i = arith::AddIOp::create(b, loc, pos.unitInCta, cst(m * units));
    Value h = memref::LoadOp::create(
        b, loc, exchange, ValueRange{op.getSlot(), pos.safeBatch, pos.head, i});
    memref::StoreOp::create(b, loc, h, op.getBuffer(),
                            ValueRange{op.getSlot(), op.getRow(), i});
  }
  gpu::BarrierOp::create(b, loc);
}

struct FlashRNNGridSync : flashrnn::impl::FlashRNNGridSyncBase<FlashRNNGridSync> {
  void runOnOperation() override {
    SmallVector<ExchangeHOp> exchanges;
    getOperation().walk([&](ExchangeHOp op) { exchanges.push_back(op); });
    for (ExchangeHOp op : exchanges) {
      auto func = op->getParentOfType<gpu::GPUFuncOp>();
      auto schedule =
          func ? func->getAttrOfType<ScheduleAttr>(kScheduleAttrName) : nullptr;
      if (!schedule) {
        op.emitOpError("must be inside a kernel built by "
                       "flashrnn-fuse-time-loop (no flashrnn.schedule)");
        return signalPassFailure();
      }
      if (schedule.getGridBarrier())
        lowerAcrossCtas(op, func, schedule);
      else
        lowerWithinCta(op);
      op.erase();
    }
  }
};

} // namespace
