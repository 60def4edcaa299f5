//===- BackwardProgress.cpp - the backward's progress, for the reduction --===//
//
// Part of FlashRNN-MLIR. The protocol is described in BackwardProgress.h.
//
//===----------------------------------------------------------------------===//
#include "lowering/Common/BackwardProgress.h"
#include "lowering/Common/KernelABI.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

/// Sleep between two reads of a word that is not there yet (ns): the words
/// move every kProgressPeriod steps (32 us or more), so a microsecond late
/// costs nothing, and a waiting CTA costs the L2 one atomic per microsecond.
constexpr int64_t kSleepNs = 1000;
/// Reads before a wait gives up: 2^23 sleeps of about 1 us, several seconds.
constexpr int64_t kMaxPolls = int64_t(1) << 23;

Value cst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value cstI32(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, v, 32);
}

} // namespace

Value mlir::flashrnn::backwardProgressSlot(OpBuilder &b, Location loc,
                                           gpu::GPUFuncOp func,
                                           ScheduleAttr schedule, Value head,
                                           Value tileInLaunch, Value cta) {
  int64_t batchTile = schedule.getBatchTile();
  Value batchSize = buildBatchSize(b, loc, func);
  Value tiles = arith::DivUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, batchSize, cst(b, loc, batchTile - 1)),
      cst(b, loc, batchTile));
  Value begin = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), lookupKernelArg(func, "batch_begin"));
  Value tile = arith::AddIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, begin, cst(b, loc, batchTile)),
      tileInLaunch);
  Value group = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, head, tiles), tile);
  return arith::AddIOp::create(
      b, loc, cst(b, loc, 1),
      arith::AddIOp::create(
          b, loc,
          arith::MulIOp::create(b, loc, group,
                                cst(b, loc, schedule.getCtasPerHead())),
          cta));
}

void mlir::flashrnn::emitProgressStarted(OpBuilder &b, Location loc,
                                         Value progress, Value tid) {
  Value leader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid,
                                       cst(b, loc, 0));
  scf::IfOp::create(b, loc, leader, [&](OpBuilder &nb, Location l) {
    memref::AtomicRMWOp::create(nb, l, arith::AtomicRMWKind::addi,
                                cstI32(nb, l, 1), progress,
                                ValueRange{cst(nb, l, 0)});
    scf::YieldOp::create(nb, l);
  });
}

void mlir::flashrnn::emitProgressPublish(OpBuilder &b, Location loc,
                                         gpu::GPUFuncOp func,
                                         ScheduleAttr schedule, Value head,
                                         Value tileInLaunch, Value cta,
                                         Value tid, Value stepsDone,
                                         Value enabled) {
  Value progress = lookupKernelArg(func, "progress");
  Value leader = arith::AndIOp::create(
      b, loc, enabled,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid,
                            cst(b, loc, 0)));
  scf::IfOp::create(b, loc, leader, [&](OpBuilder &nb, Location l) {
    // The CTA barrier before this orders the other threads' stores before
    // the fence; the fence orders them before the word (a release).
    NVVM::MembarOp::create(nb, l, NVVM::MemScopeKind::GPU);
    Value slot = backwardProgressSlot(nb, l, func, schedule, head,
                                      tileInLaunch, cta);
    memref::AtomicRMWOp::create(
        nb, l, arith::AtomicRMWKind::assign,
        arith::IndexCastOp::create(nb, l, nb.getI32Type(), stepsDone),
        progress, ValueRange{slot});
    scf::YieldOp::create(nb, l);
  });
}

void mlir::flashrnn::emitProgressWait(OpBuilder &b, Location loc,
                                      Value progress, Value head, Value tiles,
                                      int64_t ctas, Value tid, Value needed) {
  // The head's words: 1 + head x tiles x ctas + w, w < tiles x ctas, read
  // by thread 0 alone: with every thread of every waiting CTA polling (an
  // atomic each, every 128 ns), LSTM 768's backward at B = 8 took 9.5 ms
  // instead of 6 (H200), its grid barrier's atomics queued behind them.
  Value words = arith::MulIOp::create(b, loc, tiles, cst(b, loc, ctas));
  Value first = arith::AddIOp::create(
      b, loc, cst(b, loc, 1), arith::MulIOp::create(b, loc, head, words));
  Value leader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid,
                                       cst(b, loc, 0));
  auto ifLeader = scf::IfOp::create(b, loc, leader, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifLeader.thenBlock());
    auto loop = scf::ForOp::create(b, loc, cst(b, loc, 0), words, cst(b, loc, 1));
    b.setInsertionPointToStart(loop.getBody());
    Value word = arith::AddIOp::create(b, loc, first, loop.getInductionVar());
    // Spin: the read is an atomic (add 0), never cached nor hoisted.
    auto spin = scf::WhileOp::create(b, loc, TypeRange{b.getI32Type()},
                                     ValueRange{cstI32(b, loc, 0)});
    Block *before = b.createBlock(&spin.getBefore(), {}, {b.getI32Type()},
                                  {loc});
    b.setInsertionPointToStart(before);
    Value polls = before->getArgument(0);
    Value seen = memref::AtomicRMWOp::create(
        b, loc, arith::AtomicRMWKind::addi, cstI32(b, loc, 0), progress,
        ValueRange{word});
    Value waiting = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                          seen, needed);
    scf::ConditionOp::create(b, loc, waiting, ValueRange{polls});
    Block *after = b.createBlock(&spin.getAfter(), {}, {b.getI32Type()},
                                 {loc});
    b.setInsertionPointToStart(after);
    Value n = after->getArgument(0);
    // A backward that never gets there (a runtime that launched the
    // reduction without it) ends the kernel with an error, not a hang.
    Value tooLong = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                          n, cstI32(b, loc, kMaxPolls));
    scf::IfOp::create(b, loc, tooLong, [&](OpBuilder &nb, Location l) {
      LLVM::Trap::create(nb, l);
      scf::YieldOp::create(nb, l);
    });
    NVVM::NanosleepOp::create(b, loc, cstI32(b, loc, kSleepNs));
    scf::YieldOp::create(
        b, loc, ValueRange{arith::AddIOp::create(b, loc, n, cstI32(b, loc, 1))});
  }
  // The acquire side: what the backward stored before its words.
  NVVM::MembarOp::create(b, loc, NVVM::MemScopeKind::GPU);
  gpu::BarrierOp::create(b, loc);
}
