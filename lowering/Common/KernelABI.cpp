//===- KernelABI.cpp - the fused kernel's arguments and thread indexing ---===//
#include "lowering/Common/KernelABI.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::flashrnn;

llvm::StringRef mlir::flashrnn::getKernelArgName(KernelArg arg) {
  switch (arg) {
  case KernelArg::Wx:
    return "wx";
  case KernelArg::R:
    return "r";
  case KernelArg::B:
    return "b";
  case KernelArg::S0:
    return "s0";
  case KernelArg::States:
    return "states";
  case KernelArg::Last:
    return "last";
  case KernelArg::HExchange:
    return "h_exchange";
  case KernelArg::Sync:
    return "sync";
  case KernelArg::BatchBegin:
    return "batch_begin";
  }
  llvm_unreachable("unknown kernel argument");
}

unsigned mlir::flashrnn::getKernelArgRank(KernelArg arg) {
  switch (arg) {
  case KernelArg::Wx:
  case KernelArg::States:
    return 5;
  case KernelArg::R:
  case KernelArg::S0:
  case KernelArg::Last:
  case KernelArg::HExchange:
    return 4;
  case KernelArg::B:
    return 3;
  case KernelArg::Sync:
    return 1;
  case KernelArg::BatchBegin:
    return 0;
  }
  llvm_unreachable("unknown kernel argument");
}

ThreadPosition mlir::flashrnn::buildThreadPosition(OpBuilder &b, Location loc,
                                                   gpu::GPUFuncOp func,
                                                   ScheduleAttr schedule) {
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  ThreadPosition p;
  p.cta = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  p.head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  p.tile = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value units = cst(schedule.getUnitsPerCta());
  p.unitInCta = arith::RemUIOp::create(b, loc, tid, units);
  p.row = arith::DivUIOp::create(b, loc, tid, units);
  p.unit = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, p.cta, units), p.unitInCta);
  Value begin = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), getKernelArg(func, KernelArg::BatchBegin));
  Value tileStart = arith::MulIOp::create(b, loc, p.tile,
                                          cst(schedule.getBatchTile()));
  p.batch = arith::AddIOp::create(
      b, loc, begin, arith::AddIOp::create(b, loc, tileStart, p.row));
  Value batchSize =
      memref::DimOp::create(b, loc, getKernelArg(func, KernelArg::Wx), 0);
  p.valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, p.batch,
                                  batchSize);
  p.safeBatch = arith::SelectOp::create(b, loc, p.valid, p.batch, cst(0));
  return p;
}
