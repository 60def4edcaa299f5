//===- SpecializeSequence.cpp - a sequence for another dtype / head dim ---===//
#include "lowering/Package/SpecializeSequence.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::flashrnn;

OwningOpRef<ModuleOp> mlir::flashrnn::specializeSequence(SequenceOp sequence,
                                                         CellOp cell,
                                                         Type elementType,
                                                         int64_t headDim) {
  Location loc = sequence.getLoc();
  OpBuilder b(sequence.getContext());
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  b.clone(*cell.getOperation());

  int64_t dyn = ShapedType::kDynamic;
  auto gates = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getDimSize(0);
  };
  int64_t gw = cast<RankedTensorType>(sequence.getWx().getType()).getDimSize(2);
  int64_t gr = gates(sequence.getR()), gb = gates(sequence.getB()),
          s = gates(sequence.getStates());
  auto t = [&](ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, elementType);
  };
  SmallVector<Type> inputs = {t({dyn, dyn, gw, dyn, headDim}),
                              t({gr, dyn, headDim, headDim}),
                              t({gb, dyn, headDim})};
  if (sequence.getS0())
    inputs.push_back(t({s, dyn, dyn, headDim}));
  SmallVector<Type> results = {t({s, dyn, dyn, dyn, headDim}),
                               t({s, dyn, dyn, headDim})};

  auto func = func::FuncOp::create(
      b, loc, (cell.getSymName() + "_sequence").str(),
      b.getFunctionType(inputs, results));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  auto args = entry->getArguments();
  auto seq = SequenceOp::create(
      b, loc, results, sequence.getCellAttr(), args[0], args[1], args[2],
      sequence.getS0() ? Value(args[3]) : Value());
  func::ReturnOp::create(b, loc, seq.getResults());
  return module;
}
