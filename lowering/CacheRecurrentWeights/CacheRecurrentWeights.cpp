//===- CacheRecurrentWeights.cpp - flashrnn-cache-recurrent-weights -------===//
//
// R is the only large operand of the step and it never changes: reading it
// from global memory every step makes the kernel bandwidth-bound on R
// (T x |R| bytes). This pass copies the CTA's slice once, before the time
// loop, and points every load of R inside the loop at the copy.
//
// The copy is laid out [gate][input i][unit u]: in the matmul the threads of
// a warp hold consecutive units and the same i, so they read consecutive
// words (no bank conflicts), while h[i] is a broadcast.
//
//===----------------------------------------------------------------------===//
#include "lowering/Common/KernelABI.h"
#include "lowering/Passes.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNCACHERECURRENTWEIGHTS
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

/// The time loop built by flashrnn-fuse-time-loop.
scf::ForOp findTimeLoop(gpu::GPUFuncOp func) {
  for (Operation &op : func.getBody().front())
    if (op.hasAttr("flashrnn.time_loop"))
      return cast<scf::ForOp>(op);
  return nullptr;
}

LogicalResult cacheInSharedMemory(gpu::GPUFuncOp func, ScheduleAttr schedule) {
  scf::ForOp timeLoop = findTimeLoop(func);
  if (!timeLoop)
    return func.emitOpError("has no flashrnn.time_loop to cache R for");
  Value r = getKernelArg(func, KernelArg::R);
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

  // The copy sits after h's double buffer in the dynamic shared memory.
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto bytesType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                                   MemRefLayoutAttrInterface{}, workgroup);
  Value smem = gpu::DynamicSharedMemoryOp::create(b, loc, bytesType);
  int64_t hBytes = 2 * schedule.getBatchTile() * headDim * 4;
  auto cacheType =
      MemRefType::get({gates, headDim, units}, rType.getElementType(),
                      MemRefLayoutAttrInterface{}, workgroup);
  Value cache =
      memref::ViewOp::create(b, loc, cacheType, smem, cst(hBytes), ValueRange{});

  // Cooperative copy: element e of the slice, i fastest so that the global
  // reads of a warp are contiguous.
  ThreadPosition pos = buildThreadPosition(b, loc, func, schedule);
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value firstUnit = arith::MulIOp::create(b, loc, pos.cta, cst(units));
  scf::ForOp::create(
      b, loc, tid, cst(gates * headDim * units), cst(schedule.getThreads()),
      ValueRange{}, [&](OpBuilder &nb, Location l, Value e, ValueRange) {
        Value i = arith::RemUIOp::create(nb, l, e, cst(headDim));
        Value rest = arith::DivUIOp::create(nb, l, e, cst(headDim));
        Value u = arith::RemUIOp::create(nb, l, rest, cst(units));
        Value k = arith::DivUIOp::create(nb, l, rest, cst(units));
        Value j = arith::AddIOp::create(nb, l, firstUnit, u);
        Value w = memref::LoadOp::create(nb, l, r, ValueRange{k, pos.head, j, i});
        memref::StoreOp::create(nb, l, w, cache, ValueRange{k, i, u});
        scf::YieldOp::create(nb, l);
      });
  gpu::BarrierOp::create(b, loc);

  // Every load of R in the loop reads the copy: R[k, n, j, i] is
  // cache[k, i, j - first unit of the CTA].
  for (memref::LoadOp load : loads) {
    OpBuilder lb(load);
    auto idx = load.getIndices();
    Value u = arith::SubIOp::create(lb, load.getLoc(), idx[2], firstUnit);
    Value cached = memref::LoadOp::create(lb, load.getLoc(), cache,
                                          ValueRange{idx[0], idx[3], u});
    load.replaceAllUsesWith(cached);
    load.erase();
  }
  return success();
}

struct FlashRNNCacheRecurrentWeights
    : flashrnn::impl::FlashRNNCacheRecurrentWeightsBase<FlashRNNCacheRecurrentWeights> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](gpu::GPUFuncOp func) {
      auto schedule = func->getAttrOfType<ScheduleAttr>(kScheduleAttrName);
      if (!schedule || schedule.getRPlacement().getValue() != "smem")
        return WalkResult::advance();
      return failed(cacheInSharedMemory(func, schedule))
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
