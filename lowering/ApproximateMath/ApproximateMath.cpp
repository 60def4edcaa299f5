//===- ApproximateMath.cpp - the flashrnn-approximate-math pass -----------===//
//
// The cell math sits on the per-step dependent chain of every kernel. With
// libdevice, tanh is a ~20-instruction branchy sequence and sigmoid an exp
// plus an IEEE division (a Newton sequence with a slow path); the hardware
// has tanh.approx.f32 (one MUFU instruction, sm_75+, relative error about
// 2^-11). In kernels whose element type is bf16 or f16 the results are
// rounded to 2^-8 or 2^-11 anyway, so this pass rewrites, there only:
//   math.tanh(x)        -> tanh.approx(x)
//   flashrnn.sigmoid(x) -> 0.5 + 0.5 * tanh.approx(0.5 * x)
// f32 kernels keep the precise forms (their tolerance is 1e-3 on gradients
// at T = 1024). Runs before flashrnn-expand-cell-ops, which would otherwise
// expand sigmoid into exp and a division.
//
//===----------------------------------------------------------------------===//
#include "lowering/Common/KernelABI.h"
#include "lowering/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNAPPROXIMATEMATH
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

/// tanh.approx.f32 as inline PTX without side effects, so that LLVM may
/// schedule, hoist and CSE it like any pure operation.
Value tanhApprox(PatternRewriter &rewriter, Location loc, Value x) {
  return LLVM::InlineAsmOp::create(
             rewriter, loc, rewriter.getF32Type(), ValueRange{x},
             "tanh.approx.f32 $0, $1;", "=f,f", /*has_side_effects=*/false,
             /*is_align_stack=*/false, LLVM::tailcallkind::TailCallKind::None,
             LLVM::AsmDialectAttr(), ArrayAttr())
      .getResult(0);
}

Value f32Constant(PatternRewriter &rewriter, Location loc, double v) {
  return arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(v));
}

struct ApproximateTanh : OpRewritePattern<math::TanhOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::TanhOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().isF32())
      return rewriter.notifyMatchFailure(op, "tanh.approx is f32 only");
    rewriter.replaceOp(op, tanhApprox(rewriter, op.getLoc(), op.getOperand()));
    return success();
  }
};

/// sigmoid(x) = (1 + tanh(x / 2)) / 2: one MUFU, two FMAs, no division.
struct ApproximateSigmoid : OpRewritePattern<SigmoidOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SigmoidOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().isF32())
      return rewriter.notifyMatchFailure(op, "tanh.approx is f32 only");
    Location loc = op.getLoc();
    Value half = f32Constant(rewriter, loc, 0.5);
    Value t = tanhApprox(
        rewriter, loc, arith::MulFOp::create(rewriter, loc, op.getOperand(), half));
    rewriter.replaceOpWithNewOp<math::FmaOp>(op, t, half, half);
    return success();
  }
};

/// The element type of a fused kernel: that of its R (or Wx) argument.
Type kernelElementType(gpu::GPUFuncOp func) {
  for (StringRef name : {"r", "wx"})
    if (Value v = lookupKernelArg(func, name))
      return cast<MemRefType>(v.getType()).getElementType();
  return nullptr;
}

struct FlashRNNApproximateMath
    : flashrnn::impl::FlashRNNApproximateMathBase<FlashRNNApproximateMath> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ApproximateTanh, ApproximateSigmoid>(&getContext());
    FrozenRewritePatternSet frozen(std::move(patterns));
    WalkResult result = getOperation()->walk([&](gpu::GPUFuncOp func) {
      Type element = kernelElementType(func);
      if (!element || !(element.isBF16() || element.isF16()))
        return WalkResult::advance();
      return failed(applyPatternsGreedily(func, frozen))
                 ? WalkResult::interrupt()
                 : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
