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

/// The indices of value k of an element in a [2, rows, (K,) DH] buffer.
SmallVector<Value> elementIndex(OpBuilder &b, Location loc, ExchangeOp op,
                                Value slot, Value row, Value unit, unsigned k) {
  SmallVector<Value> idx = {slot, row};
  if (cast<MemRefType>(op.getBuffer().getType()).getRank() == 4)
    idx.push_back(arith::ConstantIndexOp::create(b, loc, k));
  idx.push_back(unit);
  return idx;
}

void lowerWithinCta(ExchangeOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Type element = cast<MemRefType>(op.getBuffer().getType()).getElementType();
  for (auto [k, v] : llvm::enumerate(op.getValues()))
    memref::StoreOp::create(b, loc,
                            element == v.getType()
                                ? v
                                : arith::TruncFOp::create(b, loc, element, v),
                            op.getBuffer(),
                            elementIndex(b, loc, op, op.getSlot(), op.getRow(),
                                         op.getUnit(), k));
  gpu::BarrierOp::create(b, loc);
}

void lowerAcrossCtas(ExchangeOp op, gpu::GPUFuncOp func,
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
  Value exchange = lookupKernelArg(func, "h_exchange");
  Value sync = lookupKernelArg(func, "sync");
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
  gpu::BarrierOp::create(b, loc);

  // The group's counter: one per (head, batch tile of the whole batch).
  int64_t batchTile = schedule.getBatchTile();
  Value batchSize = buildBatchSize(b, loc, func);
  Value tiles = arith::DivUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, batchSize, cst(batchTile - 1)),
      cst(batchTile));
  Value begin = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), lookupKernelArg(func, "batch_begin"));
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
      if (schedule && schedule.getGridBarrier() &&
          (schedule.getRPlacement() == "registers" ||
           !cast<MemRefType>(op.getBuffer().getType())
                .getElementType()
                .isF32())) {
        op.emitOpError("across CTAs needs an f32 buffer and one thread per "
                       "(batch row, unit); the tensor-core schedule "
                       "(r_placement \"registers\") keeps a head in one CTA");
        return signalPassFailure();
      }
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
