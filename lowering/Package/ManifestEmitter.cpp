//===- ManifestEmitter.cpp - the package manifest of a sequence -----------===//
#include "lowering/Package/ManifestEmitter.h"
#include "dialect/CellBodyOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace mlir::flashrnn;
namespace json = llvm::json;

static StringRef dtypeName(Type t) {
  if (t.isBF16())
    return "bf16";
  if (t.isF16())
    return "f16";
  return "f32";
}

/// The gates with their rows in Wx, R and b (docs/PACKAGE.md, "Fields").
static json::Array buildGates(CellOp cell) {
  json::Array gates;
  int64_t wx = 0, r = 0, bias = 0;
  int64_t rbias = cell.getNumBiasGates();
  for (GateAttr g : cell.getGates().getAsRange<GateAttr>())
    rbias -= g.getRecurrentBias();
  for (GateAttr g : cell.getGates().getAsRange<GateAttr>()) {
    gates.push_back(json::Object{
        {"name", g.getName().getValue()},
        {"recurrent", g.getRecurrent()},
        {"input", g.getInput()},
        {"bias", g.getBias()},
        {"split", g.getSplit()},
        {"recurrent_bias", g.getRecurrentBias()},
        {"wx_index", g.getInput() ? wx++ : -1},
        {"r_index", g.getRecurrent() ? r++ : -1},
        {"b_index", g.getBias() ? bias++ : -1},
        {"rb_index", g.getRecurrentBias() ? rbias++ : -1},
    });
  }
  return gates;
}

/// The cell body as a numbered straight-line program.
static FailureOr<json::Object> buildProgram(CellOp cell) {
  Block &block = cell.getBody().front();
  llvm::DenseMap<Value, int64_t> number;
  json::Array args;
  for (auto [i, s] : llvm::enumerate(cell.getStates()))
    args.push_back(json::Object{{"kind", "state"}, {"index", int64_t(i)}});
  for (auto [k, g] : llvm::enumerate(cell.getGates().getAsRange<GateAttr>())) {
    if (!g.getSplit()) {
      args.push_back(json::Object{
          {"kind", "gate"}, {"index", int64_t(k)}, {"part", "total"}});
      continue;
    }
    args.push_back(json::Object{
        {"kind", "gate"}, {"index", int64_t(k)}, {"part", "input"}});
    args.push_back(json::Object{
        {"kind", "gate"}, {"index", int64_t(k)}, {"part", "recurrent"}});
  }
  for (auto [i, c] : llvm::enumerate(cell.getConstants()))
    args.push_back(json::Object{{"kind", "constant"}, {"index", int64_t(i)}});
  for (BlockArgument arg : block.getArguments())
    number[arg] = arg.getArgNumber();

  json::Array ops;
  int64_t next = block.getNumArguments();
  for (Operation &op : block.without_terminator()) {
    StringRef name = op.getName().getStringRef();
    if (!lookupCellBodyOp(name))
      return op.emitOpError("has no derivative rule and cannot be packaged");
    json::Array operands;
    for (Value v : op.getOperands())
      operands.push_back(number.lookup(v));
    json::Object entry{{"op", name}, {"operands", std::move(operands)}};
    if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      auto value = dyn_cast<FloatAttr>(c.getValue());
      if (!value)
        return op.emitOpError("must be a float constant in a cell body");
      entry["value"] = value.getValueAsDouble();
    }
    if (auto cmp = dyn_cast<arith::CmpFOp>(op))
      entry["predicate"] = arith::stringifyCmpFPredicate(cmp.getPredicate());
    ops.push_back(std::move(entry));
    number[op.getResult(0)] = next++;
  }
  json::Array results;
  for (Value v : block.getTerminator()->getOperands())
    results.push_back(number.lookup(v));
  return json::Object{{"args", std::move(args)},
                      {"ops", std::move(ops)},
                      {"results", std::move(results)}};
}

FailureOr<json::Object> mlir::flashrnn::buildManifest(SequenceOp sequence,
                                                      CellOp cell) {
  auto wx = cast<RankedTensorType>(sequence.getWx().getType());
  FailureOr<json::Object> program = buildProgram(cell);
  if (failed(program))
    return failure();

  json::Array states, constants;
  for (StateAttr s : cell.getStates().getAsRange<StateAttr>())
    states.push_back(json::Object{{"name", s.getName().getValue()},
                                  {"init", s.getInit().getValueAsDouble()}});
  for (ConstantAttr c : cell.getConstants().getAsRange<ConstantAttr>())
    constants.push_back(json::Object{{"name", c.getName().getValue()},
                                     {"value", c.getValue().getValueAsDouble()}});
  return json::Object{
      {"format", "flashrnn-package"},
      {"version", kPackageFormatVersion},
      {"cell", cell.getSymName()},
      {"dtype", dtypeName(wx.getElementType())},
      {"head_dim", wx.getDimSize(4)},
      {"counts", json::Object{{"wx_gates", int64_t(cell.getNumWxGates())},
                              {"r_gates", int64_t(cell.getNumRGates())},
                              {"b_gates", int64_t(cell.getNumBiasGates())},
                              {"states", int64_t(cell.getNumStates())}}},
      {"gates", buildGates(cell)},
      {"states", std::move(states)},
      {"recurrent_state", int64_t(cell.getRecurrentStateIndex())},
      {"constants", std::move(constants)},
      {"program", std::move(*program)},
  };
}
