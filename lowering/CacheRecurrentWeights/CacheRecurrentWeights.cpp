//===- CacheRecurrentWeights.cpp - flashrnn-cache-recurrent-weights -------===//
//
// R is the only large operand of the step and it never changes: reading it
// from global memory every step makes the kernel bandwidth-bound on R
// (T x |R| bytes). This pass copies the CTA's slice once, before the time
// loop, and points every load of R inside the loop at the copy.
//
// The copy is laid out [gate][other index][unit u of the CTA]: in the matmul
// the threads of a warp hold consecutive units and the same other index, so
// they read consecutive words (no bank conflicts). In the forward the unit is
// R's row (R[k, n, unit, i] . h[i]); in the backward it is R's column
// (sum_j R[k, n, j, unit] . dg[j]); the kernel says which with
// flashrnn.r_unit_dim.
//
// With r_placement "registers" (the tensor-core forward) the kernel reads
// R as mma fragments (vector.load of element pairs) whose indices are all
// defined outside the time loop: this pass hoists those loads, and the
// bitcasts that turn them into operand registers, above the loop. They then
// are loop-invariant SSA values, i.e. registers for the whole sequence.
//
//===----------------------------------------------------------------------===//
#include "lowering/Common/KernelABI.h"
#include "lowering/Passes.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNCACHERECURRENTWEIGHTS
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

/// The time loop built by flashrnn-fuse-time-loop (the tensor-core backward
/// nests it in a loop over periods of steps).
scf::ForOp findTimeLoop(gpu::GPUFuncOp func) {
  scf::ForOp found;
  func.walk([&](scf::ForOp op) {
    if (!op->hasAttr(kTimeLoopAttrName))
      return WalkResult::advance();
    found = op;
    return WalkResult::interrupt();
  });
  return found;
}

LogicalResult cacheInSharedMemory(gpu::GPUFuncOp func, ScheduleAttr schedule) {
  Value r = lookupKernelArg(func, "r");
  if (!r)
    return func.emitOpError("has no kernel argument 'r' to cache");
  auto unitDimAttr = func->getAttrOfType<IntegerAttr>(kRUnitDimAttrName);
  int64_t unitDim = unitDimAttr ? unitDimAttr.getInt() : 2;
  if (unitDim != 2 && unitDim != 3)
    return func.emitOpError("has flashrnn.r_unit_dim ")
           << unitDim << "; expected 2 or 3";
  int64_t otherDim = unitDim == 2 ? 3 : 2;
  scf::ForOp timeLoop = findTimeLoop(func);
  if (!timeLoop)
    return func.emitOpError("has no flashrnn.time_loop to cache R for");
  SmallVector<memref::LoadOp> loads;
  for (Operation *user : r.getUsers())
    if (auto load = dyn_cast<memref::LoadOp>(user))
      if (timeLoop->isProperAncestor(load))
        loads.push_back(load);
  if (loads.empty())
    return success();

  auto rType = cast<MemRefType>(r.getType());
  int64_t gates = rType.getDimSize(0), headDim = rType.getDimSize(3);
  int64_t units = schedule.getUnitsPerCta();
  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  OpBuilder b(timeLoop);
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };

  // The copy sits after the exchange buffer in the dynamic shared memory.
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto bytesType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                                   MemRefLayoutAttrInterface{}, workgroup);
  Value smem = gpu::DynamicSharedMemoryOp::create(b, loc, bytesType);
  int64_t hBytes = schedule.getSharedBytes() - gates * headDim * units *
                                                   (rType.getElementTypeBitWidth() / 8);
  auto cacheType =
      MemRefType::get({gates, headDim, units}, rType.getElementType(),
                      MemRefLayoutAttrInterface{}, workgroup);
  Value cache =
      memref::ViewOp::create(b, loc, cacheType, smem, cst(hBytes), ValueRange{});

  // Cooperative copy: element e of the slice, R's last index fastest so that
  // the global reads of a warp are contiguous.
  ThreadPosition pos = buildThreadPosition(b, loc, func, schedule);
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value firstUnit = arith::MulIOp::create(b, loc, pos.cta, cst(units));
  scf::ForOp::create(
      b, loc, tid, cst(gates * headDim * units), cst(schedule.getThreads()),
      ValueRange{}, [&](OpBuilder &nb, Location l, Value e, ValueRange) {
        int64_t lastExtent = unitDim == 2 ? headDim : units;
        int64_t secondExtent = unitDim == 2 ? units : headDim;
        Value last = arith::RemUIOp::create(nb, l, e, cst(lastExtent));
        Value rest = arith::DivUIOp::create(nb, l, e, cst(lastExtent));
        Value second = arith::RemUIOp::create(nb, l, rest, cst(secondExtent));
        Value k = arith::DivUIOp::create(nb, l, rest, cst(secondExtent));
        // R[k, n, second, last]: in the forward `second` is the unit in the
        // CTA and `last` the input; in the backward the other way round.
        Value u = unitDim == 2 ? second : last;
        Value other = unitDim == 2 ? last : second;
        Value unit = arith::AddIOp::create(nb, l, firstUnit, u);
        Value rowIdx = unitDim == 2 ? unit : other;
        Value colIdx = unitDim == 2 ? other : unit;
        Value w = memref::LoadOp::create(nb, l, r,
                                         ValueRange{k, pos.head, rowIdx, colIdx});
        memref::StoreOp::create(nb, l, w, cache, ValueRange{k, other, u});
        scf::YieldOp::create(nb, l);
      });
  gpu::BarrierOp::create(b, loc);

  // Every load of R in the loop reads the copy: R[k, n, ...] is
  // cache[k, other index, unit - first unit of the CTA].
  for (memref::LoadOp load : loads) {
    OpBuilder lb(load);
    auto idx = load.getIndices();
    Value u = arith::SubIOp::create(lb, load.getLoc(), idx[unitDim], firstUnit);
    Value cached = memref::LoadOp::create(lb, load.getLoc(), cache,
                                          ValueRange{idx[0], idx[otherDim], u});
    load.replaceAllUsesWith(cached);
    load.erase();
  }
  return success();
}

LogicalResult cacheInRegisters(gpu::GPUFuncOp func) {
  Value r = lookupKernelArg(func, "r");
  if (!r)
    return func.emitOpError("has no kernel argument 'r' to cache");
  scf::ForOp timeLoop = findTimeLoop(func);
  if (!timeLoop)
    return func.emitOpError("has no flashrnn.time_loop to cache R for");
  for (Operation *user : r.getUsers()) {
    if (!timeLoop->isProperAncestor(user))
      continue;
    auto load = dyn_cast<vector::LoadOp>(user);
    if (!load)
      return user->emitOpError()
             << "reads R inside the time loop, but r_placement \"registers\" "
                "caches only vector.load fragments of R";
    for (Value index : load.getIndices()) {
      if (!timeLoop->isAncestor(index.getParentRegion()->getParentOp()))
        continue;
      // Constants are loop-invariant wherever they were built.
      Operation *def = index.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>()) {
        def->moveBefore(timeLoop);
        continue;
      }
      return load.emitOpError()
               << "reads R at an index computed inside the time loop; a "
                  "fragment kept in registers needs loop-invariant indices";
    }
    // The load, then the chain of single-operand casts that turn it into an
    // mma operand (vector.bitcast, vector.extract).
    load->moveBefore(timeLoop);
    Operation *op = load;
    while (op->hasOneUse()) {
      Operation *next = *op->getUsers().begin();
      if (!isa<vector::BitCastOp, vector::ExtractOp>(next) ||
          next->getNumOperands() != 1)
        break;
      next->moveBefore(timeLoop);
      op = next;
    }
  }
  return success();
}

struct FlashRNNCacheRecurrentWeights
    : flashrnn::impl::FlashRNNCacheRecurrentWeightsBase<FlashRNNCacheRecurrentWeights> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](gpu::GPUFuncOp func) {
      auto schedule = func->getAttrOfType<ScheduleAttr>(kScheduleAttrName);
      if (!schedule)
        return WalkResult::advance();
      StringRef placement = schedule.getRPlacement().getValue();
      LogicalResult cached = success();
      if (placement == "smem")
        cached = cacheInSharedMemory(func, schedule);
      else if (placement == "registers")
        cached = cacheInRegisters(func);
      // "global": R does not fit on chip; its loads stay where they are.
      return failed(cached)
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
