//===- ManifestEmitter.cpp - the package manifest of a sequence -----------===//
#include "lowering/Package/ManifestEmitter.h"
#include "dialect/CellBodyOps.h"

#include "lowering/Common/KernelABI.h"
#include "lowering/DeriveBackward/DeriveBackward.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
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

/// The argument descriptors of the cell body (docs/PACKAGE.md).
static json::Array buildBodyArgs(CellOp cell) {
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
  return args;
}

/// A straight-line block (a cell body, or an adjoint function's body) as a
/// numbered program: its arguments are `args`, its terminator's operands the
/// results.
static FailureOr<json::Object> buildProgram(Block &block, json::Array args) {
  llvm::DenseMap<Value, int64_t> number;
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

/// An attribute of a launch description as JSON.
static json::Value toJson(Attribute attr) {
  if (auto b = dyn_cast<BoolAttr>(attr))
    return b.getValue();
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return i.getInt();
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto s = dyn_cast<StringAttr>(attr))
    return s.getValue();
  if (auto a = dyn_cast<ArrayAttr>(attr)) {
    json::Array array;
    for (Attribute e : a)
      array.push_back(toJson(e));
    return array;
  }
  if (auto d = dyn_cast<DictionaryAttr>(attr)) {
    json::Object object;
    for (NamedAttribute n : d)
      object[n.getName().getValue()] = toJson(n.getValue());
    return object;
  }
  return nullptr;
}

FailureOr<PackagedKernels>
mlir::flashrnn::extractKernels(SequenceOp sequence) {
  auto kernelRef = sequence->getAttrOfType<SymbolRefAttr>("flashrnn.kernel");
  auto descriptions = sequence->getAttrOfType<ArrayAttr>(kKernelsAttrName);
  if (!kernelRef || !descriptions)
    return sequence.emitOpError(
        "has no compiled kernels (run the flashrnn-to-ptx pipeline first)");
  auto module = sequence->getParentOfType<ModuleOp>();
  auto binary = module.lookupSymbol<gpu::BinaryOp>(kernelRef.getRootReference());
  if (!binary || binary.getObjects().empty())
    return sequence.emitOpError("kernel module '")
           << kernelRef.getRootReference()
           << "' was not compiled to a gpu.binary";
  auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
  if (object.getFormat() != gpu::CompilationTarget::Assembly)
    return sequence.emitOpError("kernel binary is not PTX assembly");
  PackagedKernels kernels;
  kernels.ptx = object.getObject().str();
  for (Attribute d : descriptions)
    kernels.descriptions.push_back(toJson(d));
  return kernels;
}

FailureOr<json::Object>
mlir::flashrnn::buildManifest(SequenceOp sequence, CellOp cell,
                              const PackagedKernels *kernels) {
  auto wx = cast<RankedTensorType>(sequence.getWx().getType());
  FailureOr<json::Object> program =
      buildProgram(cell.getBody().front(), buildBodyArgs(cell));
  if (failed(program))
    return failure();
  // The compiler-derived adjoint (flashrnn-derive-backward), when present.
  std::optional<json::Object> adjointProgram;
  if (func::FuncOp adjoint = lookupAdjoint(cell)) {
    json::Array args = buildBodyArgs(cell);
    for (unsigned s = 0; s < cell.getNumStates(); ++s)
      args.push_back(json::Object{{"kind", "adjoint"}, {"index", int64_t(s)}});
    FailureOr<json::Object> built =
        buildProgram(adjoint.getBody().front(), std::move(args));
    if (failed(built))
      return failure();
    adjointProgram = std::move(*built);
  }

  json::Array kernelList;
  if (kernels)
    kernelList = kernels->descriptions;

  json::Array states, constants;
  for (StateAttr s : cell.getStates().getAsRange<StateAttr>())
    states.push_back(json::Object{{"name", s.getName().getValue()},
                                  {"init", s.getInit().getValueAsDouble()}});
  for (ConstantAttr c : cell.getConstants().getAsRange<ConstantAttr>())
    constants.push_back(json::Object{{"name", c.getName().getValue()},
                                     {"value", c.getValue().getValueAsDouble()}});
  json::Object manifest{
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
      {"kernels", std::move(kernelList)},
  };
  if (adjointProgram)
    manifest["adjoint_program"] = std::move(*adjointProgram);
  return manifest;
}
