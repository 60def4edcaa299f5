//===- GridBarrier.cpp - one grid barrier over the CTAs of a head ---------===//
//
// A monotonic counter per group (head, batch tile of the whole batch): at
// exchange e every CTA adds 1 and waits for C * (e + 1), so counters never
// need resetting within a launch. Thread 0 of the CTA fences (release),
// increments, spins on an atomic read and fences (acquire); block barriers
// around it order the other threads' accesses. The launch must be
// cooperative so that all CTAs are resident.
//
//===----------------------------------------------------------------------===//
#include "lowering/Common/GridBarrier.h"
#include "lowering/Common/KernelABI.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::flashrnn;

void mlir::flashrnn::emitGroupBarrier(OpBuilder &b, Location loc, gpu::GPUFuncOp func,
                      ScheduleAttr schedule, Value head, Value tile,
                      Value epochIndex) {
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto cstI32 = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v, 32);
  };
  Value sync = lookupKernelArg(func, "sync");
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
      b, loc, arith::DivUIOp::create(b, loc, begin, cst(batchTile)), tile);
  Value group = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, head, tiles), globalTile);
  Value epoch = arith::IndexCastOp::create(b, loc, b.getI32Type(),
                                           epochIndex);
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
}

