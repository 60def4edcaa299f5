//===- FuseTimeLoop.cpp - the flashrnn-fuse-time-loop pass ----------------===//
//
// Builds one persistent kernel per planned sequence. One thread owns one
// (batch row, hidden unit) element for the whole sequence: its states live in
// registers (loop-carried values of the time loop), and each step it
//   1. computes R[k] . h_{t-1} for all recurrent gates k of its unit, reading
//      h_{t-1} of its batch row from shared memory,
//   2. adds the input part (Wx) and the biases,
//   3. applies the cell body, cloned from the flashrnn.cell,
//   4. writes its states of step t, and
//   5. publishes its new h with flashrnn.exchange_h (lowered by grid-sync).
//
//===----------------------------------------------------------------------===//
#include "lowering/Common/KernelABI.h"
#include "lowering/Passes.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNFUSETIMELOOP
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

constexpr llvm::StringLiteral kKernelModuleName = "flashrnn_kernels";

/// Builds the fused kernel of one sequence.
class KernelBuilder {
public:
  KernelBuilder(SequenceOp sequence, CellOp cell, ScheduleAttr schedule)
      : sequence(sequence), cell(cell), schedule(schedule),
        ctx(sequence.getContext()), loc(sequence.getLoc()), b(ctx) {
    auto wxType = cast<RankedTensorType>(sequence.getWx().getType());
    elementType = wxType.getElementType();
    headDim = wxType.getDimSize(4);
  }

  gpu::GPUFuncOp build(gpu::GPUModuleOp module, StringRef name);

private:
  Value cst(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value cstF32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  /// Loads one element of a public tensor and widens it to f32.
  Value loadF32(Value memref, ValueRange indices) {
    Value v = memref::LoadOp::create(b, loc, memref, indices);
    if (elementType.isF32())
      return v;
    return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  }
  /// Narrows an f32 to the public element type and stores it.
  void storeFromF32(Value v, Value memref, ValueRange indices) {
    if (!elementType.isF32())
      v = arith::TruncFOp::create(b, loc, elementType, v);
    memref::StoreOp::create(b, loc, v, memref, indices);
  }
  FunctionType buildSignature();
  SmallVector<Value> buildStep(gpu::GPUFuncOp func, const ThreadPosition &pos,
                               Value hs, Value t, ValueRange states,
                               ArrayRef<Value> inputBias,
                               ArrayRef<Value> recurrentBias);

  SequenceOp sequence;
  CellOp cell;
  ScheduleAttr schedule;
  MLIRContext *ctx;
  Location loc;
  OpBuilder b;
  Type elementType;
  int64_t headDim;
};

FunctionType KernelBuilder::buildSignature() {
  int64_t dyn = ShapedType::kDynamic;
  auto count = [](Value v, unsigned i) {
    return cast<RankedTensorType>(v.getType()).getDimSize(i);
  };
  int64_t gw = count(sequence.getWx(), 2), gr = count(sequence.getR(), 0),
          gb = count(sequence.getB(), 0), s = count(sequence.getStates(), 0);
  Type e = elementType, f32 = b.getF32Type();
  SmallVector<Type> inputs = {
      MemRefType::get({dyn, dyn, gw, dyn, headDim}, e),    // wx
      MemRefType::get({gr, dyn, headDim, headDim}, e),     // r
      MemRefType::get({gb, dyn, headDim}, e),              // b
      MemRefType::get({s, dyn, dyn, headDim}, e),          // s0
      MemRefType::get({s, dyn, dyn, dyn, headDim}, e),     // states
      MemRefType::get({s, dyn, dyn, headDim}, e),          // last
      MemRefType::get({2, dyn, dyn, headDim}, f32),        // h_exchange
      MemRefType::get({dyn}, b.getI32Type()),              // sync
      b.getI32Type(),                                      // batch_begin
  };
  return FunctionType::get(ctx, inputs, {});
}

SmallVector<Value> KernelBuilder::buildStep(gpu::GPUFuncOp func,
                                            const ThreadPosition &pos, Value hs,
                                            Value t, ValueRange states,
                                            ArrayRef<Value> inputBias,
                                            ArrayRef<Value> recurrentBias) {
  Value slot = arith::RemUIOp::create(b, loc, t, cst(2));
  Value r = getKernelArg(func, KernelArg::R);
  Value wx = getKernelArg(func, KernelArg::Wx);
  auto gates = cell.getGates().getAsRange<GateAttr>();

  // 1. The recurrent matmul: one pass over h_{t-1} feeds every gate.
  unsigned numRecurrent = cell.getNumRGates();
  SmallVector<Value> zeros(numRecurrent, cstF32(0.0));
  auto matmul = scf::ForOp::create(
      b, loc, cst(0), cst(headDim), cst(1), zeros,
      [&](OpBuilder &nb, Location l, Value i, ValueRange accs) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        Value h = memref::LoadOp::create(b, l, hs, ValueRange{slot, pos.row, i});
        SmallVector<Value> next;
        for (unsigned k = 0; k < numRecurrent; ++k) {
          Value w = loadF32(r, {cst(k), pos.head, pos.unit, i});
          next.push_back(math::FmaOp::create(b, l, w, h, accs[k]));
        }
        scf::YieldOp::create(b, l, next);
      });

  // 2. Input part and biases, per gate, in the order the body expects.
  IRMapping map;
  Block &body = cell.getBody().front();
  unsigned arg = 0;
  for (Value s : states)
    map.map(body.getArgument(arg++), s);
  unsigned wxRow = 0, rRow = 0;
  for (auto [k, g] : llvm::enumerate(gates)) {
    Value input, recurrent;
    if (g.getInput())
      input = loadF32(wx, {pos.safeBatch, t, cst(wxRow++), pos.head, pos.unit});
    if (inputBias[k])
      input = input ? arith::AddFOp::create(b, loc, input, inputBias[k])
                    : inputBias[k];
    if (g.getRecurrent())
      recurrent = matmul.getResult(rRow++);
    if (recurrentBias[k])
      recurrent = arith::AddFOp::create(b, loc, recurrent, recurrentBias[k]);
    if (g.getSplit()) {
      map.map(body.getArgument(arg++), input ? input : cstF32(0.0));
      map.map(body.getArgument(arg++), recurrent);
      continue;
    }
    Value total = input && recurrent
                      ? arith::AddFOp::create(b, loc, input, recurrent)
                      : (input ? input : recurrent);
    map.map(body.getArgument(arg++), total);
  }
  for (ConstantAttr c : cell.getConstants().getAsRange<ConstantAttr>())
    map.map(body.getArgument(arg++), cstF32(c.getValue().getValueAsDouble()));

  // 3. The cell body.
  for (Operation &op : body.without_terminator())
    b.clone(op, map);
  SmallVector<Value> next;
  for (Value v : body.getTerminator()->getOperands())
    next.push_back(map.lookup(v));

  // 4. This step's states (rows past the batch store nothing).
  Value statesOut = getKernelArg(func, KernelArg::States);
  scf::IfOp::create(b, loc, pos.valid, [&](OpBuilder &nb, Location l) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    for (auto [s, v] : llvm::enumerate(next))
      storeFromF32(v, statesOut, {cst(s), pos.batch, t, pos.head, pos.unit});
    scf::YieldOp::create(b, l);
  });

  // 5. Publish h_t for step t + 1.
  Value nextSlot = arith::SubIOp::create(b, loc, cst(1), slot);
  Value epoch = arith::AddIOp::create(b, loc, t, cst(1));
  ExchangeHOp::create(b, loc, next[cell.getRecurrentStateIndex()], hs,
                      nextSlot, pos.row, pos.unit, epoch);
  return next;
}

gpu::GPUFuncOp KernelBuilder::build(gpu::GPUModuleOp module, StringRef name) {
  b.setInsertionPointToEnd(module.getBody());
  auto func = gpu::GPUFuncOp::create(b, loc, name, buildSignature());
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func->setAttr(kScheduleAttrName, schedule);
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr(
      {int32_t(schedule.getThreads()), 1, 1}));
  for (unsigned i = 0; i < kNumKernelArgs; ++i)
    func.setArgAttr(i, kKernelArgAttrName,
                    b.getStringAttr(getKernelArgName(KernelArg(i))));

  b.setInsertionPointToStart(&func.getBody().front());
  ThreadPosition pos = buildThreadPosition(b, loc, func, schedule);

  // h of the tile's rows, f32, double-buffered, at the start of the dynamic
  // shared memory (cache-recurrent-weights puts R after it).
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto bytesType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                                   MemRefLayoutAttrInterface{}, workgroup);
  Value smem = gpu::DynamicSharedMemoryOp::create(b, loc, bytesType);
  auto hsType = MemRefType::get({2, schedule.getBatchTile(), headDim},
                                b.getF32Type(), MemRefLayoutAttrInterface{},
                                workgroup);
  Value hs = memref::ViewOp::create(b, loc, hsType, smem, cst(0), ValueRange{});

  // Biases do not change over time: load them once.
  Value bias = getKernelArg(func, KernelArg::B);
  SmallVector<Value> inputBias, recurrentBias;
  int64_t biasRow = 0;
  for (GateAttr g : cell.getGates().getAsRange<GateAttr>())
    inputBias.push_back(
        g.getBias() ? loadF32(bias, {cst(biasRow++), pos.head, pos.unit})
                    : Value());
  for (GateAttr g : cell.getGates().getAsRange<GateAttr>())
    recurrentBias.push_back(
        g.getRecurrentBias()
            ? loadF32(bias, {cst(biasRow++), pos.head, pos.unit})
            : Value());

  // Initial states, and h_0 published for the first step.
  Value s0 = getKernelArg(func, KernelArg::S0);
  SmallVector<Value> initial;
  for (unsigned s = 0; s < cell.getNumStates(); ++s)
    initial.push_back(loadF32(s0, {cst(s), pos.safeBatch, pos.head, pos.unit}));
  ExchangeHOp::create(b, loc, initial[cell.getRecurrentStateIndex()], hs,
                      cst(0), pos.row, pos.unit, cst(0));

  // The time loop; the states are its loop-carried values.
  Value steps = memref::DimOp::create(b, loc, getKernelArg(func, KernelArg::Wx), 1);
  auto timeLoop = scf::ForOp::create(
      b, loc, cst(0), steps, cst(1), initial,
      [&](OpBuilder &nb, Location l, Value t, ValueRange states) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        SmallVector<Value> next =
            buildStep(func, pos, hs, t, states, inputBias, recurrentBias);
        scf::YieldOp::create(b, l, next);
      });
  timeLoop->setAttr("flashrnn.time_loop", b.getUnitAttr());

  // Final states.
  Value last = getKernelArg(func, KernelArg::Last);
  scf::IfOp::create(b, loc, pos.valid, [&](OpBuilder &nb, Location l) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    for (auto [s, v] : llvm::enumerate(timeLoop.getResults()))
      storeFromF32(v, last, {cst(s), pos.batch, pos.head, pos.unit});
    scf::YieldOp::create(b, l);
  });
  gpu::ReturnOp::create(b, loc);
  return func;
}

struct FlashRNNFuseTimeLoop
    : flashrnn::impl::FlashRNNFuseTimeLoopBase<FlashRNNFuseTimeLoop> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<SequenceOp> sequences;
    module.walk([&](SequenceOp op) { sequences.push_back(op); });
    if (sequences.empty())
      return;

    gpu::GPUModuleOp kernels;
    for (SequenceOp sequence : sequences) {
      auto schedule =
          sequence->getAttrOfType<ScheduleAttr>(kScheduleAttrName);
      if (!schedule) {
        sequence.emitOpError()
            << "has no schedule: run flashrnn-plan before "
               "flashrnn-fuse-time-loop";
        return signalPassFailure();
      }
      auto cell = SymbolTable::lookupNearestSymbolFrom<CellOp>(
          sequence, sequence.getCellAttr());
      if (!kernels)
        kernels = getOrCreateKernelModule(module, schedule);
      if (kernels.getTargetsAttr() &&
          cast<NVVM::NVVMTargetAttr>(kernels.getTargetsAttr()[0]).getChip() !=
              schedule.getChip().getValue()) {
        sequence.emitOpError() << "is planned for " << schedule.getChip()
                               << " but other sequences of this module for "
                                  "another chip; compile them separately";
        return signalPassFailure();
      }
      // One kernel per sequence; sequences of the same cell get _1, _2, ...
      std::string base = (cell.getSymName() + "_forward").str(), name = base;
      for (unsigned n = 1; kernels.lookupSymbol(name); ++n)
        name = base + "_" + std::to_string(n);
      KernelBuilder builder(sequence, cell, schedule);
      gpu::GPUFuncOp func = builder.build(kernels, name);
      sequence->setAttr(
          "flashrnn.kernel",
          SymbolRefAttr::get(ctx(), kKernelModuleName,
                             {FlatSymbolRefAttr::get(func.getNameAttr())}));
    }
  }

  MLIRContext *ctx() { return &getContext(); }

  gpu::GPUModuleOp getOrCreateKernelModule(ModuleOp module,
                                           ScheduleAttr schedule) {
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(ctx()));
    if (auto existing = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName))
      return existing;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto target = NVVM::NVVMTargetAttr::get(
        ctx(), /*optLevel=*/3, "nvptx64-nvidia-cuda",
        schedule.getChip().getValue(), "+ptx80");
    return gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName,
                                    b.getArrayAttr({target}));
  }
};

} // namespace
