//===- KernelBuilder.cpp - shared pieces of the fused kernel builders -----===//
#include "lowering/FuseTimeLoop/KernelBuilder.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::flashrnn;

CellLayout::CellLayout(CellOp cell) {
  numStates = cell.getNumStates();
  numConstants = cell.getConstants().size();
  recurrentState = cell.getRecurrentStateIndex();
  numGateValues = 0;
  int wx = 0, r = 0, bias = 0;
  int rbias = cell.getNumBiasGates();
  for (GateAttr g : cell.getGates().getAsRange<GateAttr>())
    rbias -= g.getRecurrentBias();
  for (GateAttr g : cell.getGates().getAsRange<GateAttr>()) {
    wxRow.push_back(g.getInput() ? wx++ : -1);
    rRow.push_back(g.getRecurrent() ? r++ : -1);
    biasRow.push_back(g.getBias() ? bias++ : -1);
    rbiasRow.push_back(g.getRecurrentBias() ? rbias++ : -1);
    if (g.getSplit()) {
      inputValue.push_back(numGateValues++);
      recurrentValue.push_back(numGateValues++);
      isTotal.append({false, false});
    } else {
      inputValue.push_back(numGateValues);
      recurrentValue.push_back(g.getRecurrent() ? numGateValues : -1);
      numGateValues++;
      isTotal.push_back(true);
    }
  }
}

SequenceShape::SequenceShape(SequenceOp sequence) {
  auto wxType = cast<RankedTensorType>(sequence.getWx().getType());
  auto dim0 = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getDimSize(0);
  };
  elementType = wxType.getElementType();
  headDim = wxType.getDimSize(4);
  wxGates = wxType.getDimSize(2);
  rGates = dim0(sequence.getR());
  biasRows = dim0(sequence.getB());
  states = dim0(sequence.getStates());
}

Value KernelEmitter::loadF32(Value memref, ValueRange indices) {
  Value v = memref::LoadOp::create(b, loc, memref, indices);
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
}

void KernelEmitter::storeF32(Value v, Value memref, ValueRange indices) {
  Type target = cast<MemRefType>(memref.getType()).getElementType();
  if (target != v.getType())
    v = arith::TruncFOp::create(b, loc, target, v);
  memref::StoreOp::create(b, loc, v, memref, indices);
}

void KernelEmitter::ifValid(Value valid, llvm::function_ref<void()> body) {
  auto op = scf::IfOp::create(b, loc, valid, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(op.thenBlock()->getTerminator());
  body();
}

gpu::GPUFuncOp KernelEmitter::createKernel(gpu::GPUModuleOp module,
                                           StringRef name,
                                           ArrayRef<KernelArgSpec> args,
                                           ScheduleAttr schedule,
                                           int64_t threads) {
  SmallVector<Type> types;
  for (const KernelArgSpec &a : args)
    types.push_back(a.type);
  b.setInsertionPointToEnd(module.getBody());
  auto func = gpu::GPUFuncOp::create(b, loc, name,
                                     b.getFunctionType(types, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  if (schedule)
    func->setAttr(kScheduleAttrName, schedule);
  // With R in global memory the planner gives each CTA at most 512 threads
  // so that a thread may use 128 registers; without this ptxas aims at two
  // CTAs per SM and caps them at 64 (spilling, measured with ptxas -v).
  if (schedule && schedule.getRPlacement() == "global")
    func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                  b.getI32IntegerAttr(1));
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({int32_t(threads), 1, 1}));
  for (auto [i, a] : llvm::enumerate(args))
    func.setArgAttr(i, kKernelArgAttrName, b.getStringAttr(a.name));
  b.setInsertionPointToStart(&func.getBody().front());
  return func;
}

Value KernelEmitter::sharedF32(ArrayRef<int64_t> shape) {
  return sharedView(shape, b.getF32Type());
}

Value KernelEmitter::sharedView(ArrayRef<int64_t> shape, Type type,
                                int64_t byteOffset) {
  MLIRContext *ctx = b.getContext();
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto bytesType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                                   MemRefLayoutAttrInterface{}, workgroup);
  Value smem = gpu::DynamicSharedMemoryOp::create(b, loc, bytesType);
  auto viewType =
      MemRefType::get(shape, type, MemRefLayoutAttrInterface{}, workgroup);
  return memref::ViewOp::create(b, loc, viewType, smem, cst(byteOffset),
                                ValueRange{});
}

SmallVector<KernelArgSpec>
mlir::flashrnn::forwardKernelArgs(Builder &b, const SequenceShape &shape,
                                  const CellLayout &layout, bool training) {
  Type e = shape.elementType, f32 = b.getF32Type();
  int64_t dh = shape.headDim, s = shape.states;
  int64_t dyn = ShapedType::kDynamic;
  SmallVector<KernelArgSpec> args = {
      {"wx", MemRefType::get({dyn, dyn, shape.wxGates, dyn, dh}, e)},
      {"r", MemRefType::get({shape.rGates, dyn, dh, dh}, e)},
      {"b", MemRefType::get({shape.biasRows, dyn, dh}, e)},
      {"s0", MemRefType::get({s, dyn, dyn, dh}, e)},
      {"states", MemRefType::get({s, dyn, dyn, dyn, dh}, e)},
      {"last", MemRefType::get({s, dyn, dyn, dh}, e)},
      {"h_exchange", MemRefType::get({2, dyn, dyn, dh}, f32)},
      {"sync", MemRefType::get({dyn}, b.getI32Type())},
      {"batch_begin", b.getI32Type()},
  };
  if (training) {
    args.push_back({"saved_gates",
                    MemRefType::get({dyn, dyn, int64_t(layout.numGateValues),
                                     dyn, dh},
                                    f32)});
    args.push_back(
        {"saved_states", MemRefType::get({s, dyn, dyn, dyn, dh}, f32)});
  }
  return args;
}

SmallVector<KernelArgSpec>
mlir::flashrnn::backwardKernelArgs(Builder &b, const SequenceShape &shape,
                                   const CellLayout &layout) {
  Type e = shape.elementType, f32 = b.getF32Type();
  int64_t dh = shape.headDim, s = shape.states, gr = shape.rGates;
  int64_t na = layout.numGateValues;
  int64_t dyn = ShapedType::kDynamic;
  return {
      {"r", MemRefType::get({gr, dyn, dh, dh}, e)},
      {"s0", MemRefType::get({s, dyn, dyn, dh}, e)},
      {"saved_gates", MemRefType::get({dyn, dyn, na, dyn, dh}, f32)},
      {"saved_states", MemRefType::get({s, dyn, dyn, dyn, dh}, f32)},
      {"dstates", MemRefType::get({s, dyn, dyn, dyn, dh}, e)},
      {"dlast", MemRefType::get({s, dyn, dyn, dh}, e)},
      {"dwx", MemRefType::get({dyn, dyn, shape.wxGates, dyn, dh}, e)},
      {"ds0", MemRefType::get({s, dyn, dyn, dh}, e)},
      {"dgates", MemRefType::get({dyn, dyn, na, dyn, dh}, f32)},
      {"h_exchange", MemRefType::get({2, dyn, dyn, gr, dh}, f32)},
      {"sync", MemRefType::get({dyn}, b.getI32Type())},
      // How far each CTA has got, for a reduction that runs beside the
      // backward (lowering/Common/BackwardProgress.h).
      {"progress", MemRefType::get({dyn}, b.getI32Type())},
      {"batch_begin", b.getI32Type()},
  };
}

SmallVector<KernelArgSpec>
mlir::flashrnn::reduceKernelArgs(Builder &b, const SequenceShape &shape,
                                 const CellLayout &layout) {
  Type e = shape.elementType, f32 = b.getF32Type();
  int64_t dh = shape.headDim, s = shape.states;
  int64_t na = layout.numGateValues;
  int64_t dyn = ShapedType::kDynamic;
  return {
      {"s0", MemRefType::get({s, dyn, dyn, dh}, e)},
      {"saved_states", MemRefType::get({s, dyn, dyn, dyn, dh}, f32)},
      {"dgates", MemRefType::get({dyn, dyn, na, dyn, dh}, f32)},
      {"dr", MemRefType::get({shape.rGates, dyn, dh, dh}, e)},
      {"db", MemRefType::get({shape.biasRows, dyn, dh}, e)},
      // The workspace of a reduction split over CTAs (MmaReduceKernel.cpp):
      // partial sums of dR (columns < DH) and db (column DH) per (head,
      // gate value, unit), and arrival counters; zero at launch, left zero.
      {"partial", MemRefType::get({dyn, na, dh, dh + 1}, f32)},
      {"sync", MemRefType::get({dyn}, b.getI32Type())},
      // The backward's progress: the tensor-core reduction waits on it per
      // slice of steps; the others run after the backward and ignore it.
      {"progress", MemRefType::get({dyn}, b.getI32Type())},
  };
}

void mlir::flashrnn::loadBiases(KernelEmitter &em, CellOp cell,
                                const CellLayout &layout, Value b, Value head,
                                Value unit, SmallVectorImpl<Value> &inputBias,
                                SmallVectorImpl<Value> &recurrentBias) {
  for (size_t k = 0, e = cell.getGates().size(); k < e; ++k) {
    inputBias.push_back(
        layout.biasRow[k] >= 0
            ? em.loadF32(b, {em.cst(layout.biasRow[k]), head, unit})
            : Value());
    recurrentBias.push_back(
        layout.rbiasRow[k] >= 0
            ? em.loadF32(b, {em.cst(layout.rbiasRow[k]), head, unit})
            : Value());
  }
}

SmallVector<int64_t>
mlir::flashrnn::recurrentRowValues(CellOp cell, const CellLayout &layout) {
  SmallVector<int64_t> rowValue;
  for (size_t k = 0, e = cell.getGates().size(); k < e; ++k)
    if (layout.rRow[k] >= 0) {
      if (size_t(layout.rRow[k]) >= rowValue.size())
        rowValue.resize(layout.rRow[k] + 1);
      rowValue[layout.rRow[k]] = layout.recurrentValue[k];
    }
  return rowValue;
}

SmallVector<std::pair<int64_t, int64_t>>
mlir::flashrnn::biasGradientRows(CellOp cell, const CellLayout &layout) {
  SmallVector<std::pair<int64_t, int64_t>> rows;
  for (size_t k = 0, e = cell.getGates().size(); k < e; ++k) {
    if (layout.biasRow[k] >= 0)
      rows.push_back({layout.biasRow[k], layout.inputValue[k]});
    if (layout.rbiasRow[k] >= 0)
      rows.push_back({layout.rbiasRow[k], layout.recurrentValue[k]});
  }
  return rows;
}

Value mlir::flashrnn::gateInputPart(KernelEmitter &em, Value input,
                                    Value inputBias) {
  if (input && inputBias)
    return arith::AddFOp::create(em.b, em.loc, input, inputBias);
  return input ? input : inputBias;
}

SmallVector<Value> mlir::flashrnn::assembleGateValues(
    KernelEmitter &em, CellOp cell, const CellLayout &layout,
    llvm::function_ref<Value(size_t)> input, ArrayRef<Value> recurrent,
    ArrayRef<Value> inputBias, ArrayRef<Value> recurrentBias) {
  OpBuilder &b = em.b;
  Location loc = em.loc;
  auto gates = llvm::to_vector(cell.getGates().getAsRange<GateAttr>());
  SmallVector<Value> values(layout.numGateValues);
  for (size_t k = 0; k < gates.size(); ++k) {
    Value in = gateInputPart(em, input(k), inputBias[k]);
    Value rec = recurrent[k];
    if (recurrentBias[k])
      rec = arith::AddFOp::create(b, loc, rec, recurrentBias[k]);
    if (!gates[k].getSplit()) {
      values[layout.inputValue[k]] =
          in && rec ? arith::AddFOp::create(b, loc, in, rec) : (in ? in : rec);
      continue;
    }
    values[layout.inputValue[k]] = in ? in : em.cstF32(0.0);
    values[layout.recurrentValue[k]] = rec;
  }
  return values;
}

SmallVector<Value> mlir::flashrnn::applyCellBody(KernelEmitter &em,
                                                 CellOp cell, ValueRange states,
                                                 ArrayRef<Value> gateValues) {
  Block &body = cell.getBody().front();
  IRMapping map;
  unsigned a = 0;
  for (Value st : states)
    map.map(body.getArgument(a++), st);
  for (Value g : gateValues)
    map.map(body.getArgument(a++), g);
  for (ConstantAttr c : cell.getConstants().getAsRange<ConstantAttr>())
    map.map(body.getArgument(a++), em.cstF32(c.getValue().getValueAsDouble()));
  for (Operation &op : body.without_terminator())
    em.b.clone(op, map);
  SmallVector<Value> next;
  for (Value v : body.getTerminator()->getOperands())
    next.push_back(map.lookup(v));
  return next;
}

SmallVector<Value> mlir::flashrnn::applyAdjoint(
    KernelEmitter &em, func::FuncOp adjoint, ArrayRef<Value> previousStates,
    ArrayRef<Value> gateValues, ArrayRef<Value> constants,
    ArrayRef<Value> stateGradients) {
  Block &adj = adjoint.getBody().front();
  IRMapping map;
  unsigned a = 0;
  for (ArrayRef<Value> group :
       {previousStates, gateValues, constants, stateGradients})
    for (Value v : group)
      map.map(adj.getArgument(a++), v);
  for (Operation &op : adj.without_terminator())
    em.b.clone(op, map);
  SmallVector<Value> grads;
  for (Value v : adj.getTerminator()->getOperands())
    grads.push_back(map.lookup(v));
  return grads;
}

void mlir::flashrnn::storeGateGradients(KernelEmitter &em, CellOp cell,
                                        const CellLayout &layout,
                                        ArrayRef<Value> dGates, Value dgates,
                                        Value dwx, Value batch, Value t,
                                        Value head, Value unit) {
  for (auto [gv, v] : llvm::enumerate(dGates))
    memref::StoreOp::create(em.b, em.loc, v, dgates,
                            ValueRange{batch, t, em.cst(gv), head, unit});
  for (size_t k = 0, e = cell.getGates().size(); k < e; ++k)
    if (layout.wxRow[k] >= 0)
      em.storeF32(dGates[layout.inputValue[k]], dwx,
                  {batch, t, em.cst(layout.wxRow[k]), head, unit});
}

static StringRef dtypeName(Type t) {
  if (t.isBF16())
    return "bf16";
  if (t.isF16())
    return "f16";
  if (t.isF32())
    return "f32";
  if (t.isInteger(32))
    return "i32";
  return "unknown";
}

DictionaryAttr mlir::flashrnn::describeKernel(gpu::GPUFuncOp kernel,
                                              StringRef kind,
                                              ScheduleAttr schedule,
                                              ArrayRef<Attribute> grid,
                                              int64_t threads,
                                              int64_t sharedBytes,
                                              bool cooperative) {
  Builder b(kernel.getContext());
  SmallVector<Attribute> args;
  for (unsigned i = 0, e = kernel.getNumArguments(); i < e; ++i) {
    Type t = kernel.getArgument(i).getType();
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("name", kernel.getArgAttr(i, kKernelArgAttrName))};
    if (auto m = dyn_cast<MemRefType>(t)) {
      fields.push_back(b.getNamedAttr("kind", b.getStringAttr("memref")));
      fields.push_back(b.getNamedAttr("rank", b.getI64IntegerAttr(m.getRank())));
      fields.push_back(b.getNamedAttr(
          "dtype", b.getStringAttr(dtypeName(m.getElementType()))));
    } else {
      fields.push_back(b.getNamedAttr("kind", b.getStringAttr(dtypeName(t))));
    }
    args.push_back(b.getDictionaryAttr(fields));
  }
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("kind", b.getStringAttr(kind)),
      b.getNamedAttr("entry", kernel.getNameAttr()),
      b.getNamedAttr("ptx", b.getStringAttr("kernels.ptx")),
      b.getNamedAttr("grid", b.getArrayAttr(grid)),
      b.getNamedAttr("block", b.getArrayAttr({b.getI64IntegerAttr(threads),
                                              b.getI64IntegerAttr(1),
                                              b.getI64IntegerAttr(1)})),
      b.getNamedAttr("dynamic_shared_bytes", b.getI64IntegerAttr(sharedBytes)),
      b.getNamedAttr("cooperative", b.getBoolAttr(cooperative)),
      b.getNamedAttr("args", b.getArrayAttr(args)),
  };
  if (schedule) {
    fields.push_back(b.getNamedAttr("chip", schedule.getChip()));
    fields.push_back(b.getNamedAttr(
        "schedule",
        b.getDictionaryAttr({
            b.getNamedAttr("ctas_per_head",
                           b.getI64IntegerAttr(schedule.getCtasPerHead())),
            b.getNamedAttr("units_per_cta",
                           b.getI64IntegerAttr(schedule.getUnitsPerCta())),
            b.getNamedAttr("batch_tile",
                           b.getI64IntegerAttr(schedule.getBatchTile())),
            b.getNamedAttr("threads",
                           b.getI64IntegerAttr(schedule.getThreads())),
            b.getNamedAttr("r_placement", schedule.getRPlacement()),
            b.getNamedAttr("grid_barrier",
                           b.getBoolAttr(schedule.getGridBarrier())),
            b.getNamedAttr("shared_bytes",
                           b.getI64IntegerAttr(schedule.getSharedBytes())),
        })));
  }
  return b.getDictionaryAttr(fields);
}
