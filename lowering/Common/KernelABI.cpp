//===- KernelABI.cpp - the fused kernels' arguments and thread indexing ---===//
#include "lowering/Common/KernelABI.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::flashrnn;

BlockArgument mlir::flashrnn::lookupKernelArg(gpu::GPUFuncOp func,
                                              llvm::StringRef name) {
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (auto attr = func.getArgAttrOfType<StringAttr>(i, kKernelArgAttrName))
      if (attr.getValue() == name)
        return func.getArgument(i);
  return nullptr;
}

Value mlir::flashrnn::buildBatchSize(OpBuilder &b, Location loc,
                                     gpu::GPUFuncOp func) {
  if (Value wx = lookupKernelArg(func, "wx"))
    return memref::DimOp::create(b, loc, wx, 0);
  return memref::DimOp::create(b, loc, lookupKernelArg(func, "dstates"), 1);
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
      b, loc, b.getIndexType(), lookupKernelArg(func, "batch_begin"));
  Value tileStart = arith::MulIOp::create(b, loc, p.tile,
                                          cst(schedule.getBatchTile()));
  p.batch = arith::AddIOp::create(
      b, loc, begin, arith::AddIOp::create(b, loc, tileStart, p.row));
  p.valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, p.batch,
                                  buildBatchSize(b, loc, func));
  p.safeBatch = arith::SelectOp::create(b, loc, p.valid, p.batch, cst(0));
  return p;
}
