//===- ExpandCellOps.cpp - the flashrnn-expand-cell-ops pass --------------===//
//
// The dialect's element-wise ops in arith and math, in forms that neither
// overflow nor lose precision for large |x| (exp is only ever taken of a
// non-positive number).
//
//===----------------------------------------------------------------------===//
#include "lowering/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNEXPANDCELLOPS
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

Value constantLike(PatternRewriter &rewriter, Location loc, Value like,
                   double v) {
  return arith::ConstantOp::create(
      rewriter, loc, rewriter.getFloatAttr(like.getType(), v));
}

/// log1p(exp(-|x|)): the part of softplus and logsigmoid that needs care.
Value log1pExpNegAbs(PatternRewriter &rewriter, Location loc, Value x) {
  Value abs = math::AbsFOp::create(rewriter, loc, x);
  Value neg = arith::NegFOp::create(rewriter, loc, abs);
  Value e = math::ExpOp::create(rewriter, loc, neg);
  return math::Log1pOp::create(rewriter, loc, e);
}

/// sigmoid(x) = 1 / (1 + exp(-x)). exp(-x) overflows to +inf for x < -88,
/// which gives the correct limit 0.
struct ExpandSigmoid : OpRewritePattern<SigmoidOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SigmoidOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Value one = constantLike(rewriter, loc, x, 1.0);
    Value e = math::ExpOp::create(rewriter, loc,
                                  arith::NegFOp::create(rewriter, loc, x));
    rewriter.replaceOpWithNewOp<arith::DivFOp>(
        op, one, arith::AddFOp::create(rewriter, loc, one, e));
    return success();
  }
};

/// softplus(x) = max(x, 0) + log1p(exp(-|x|)).
struct ExpandSoftplus : OpRewritePattern<SoftplusOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftplusOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Value pos = arith::MaximumFOp::create(rewriter, loc, x,
                                          constantLike(rewriter, loc, x, 0.0));
    rewriter.replaceOpWithNewOp<arith::AddFOp>(
        op, pos, log1pExpNegAbs(rewriter, loc, x));
    return success();
  }
};

/// logsigmoid(x) = -softplus(-x) = min(x, 0) - log1p(exp(-|x|)).
struct ExpandLogSigmoid : OpRewritePattern<LogSigmoidOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LogSigmoidOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Value neg = arith::MinimumFOp::create(rewriter, loc, x,
                                          constantLike(rewriter, loc, x, 0.0));
    rewriter.replaceOpWithNewOp<arith::SubFOp>(
        op, neg, log1pExpNegAbs(rewriter, loc, x));
    return success();
  }
};

/// stop_gradient is the identity in a forward computation.
struct ExpandStopGradient : OpRewritePattern<StopGradientOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(StopGradientOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getOperand());
    return success();
  }
};

struct FlashRNNExpandCellOps
    : flashrnn::impl::FlashRNNExpandCellOpsBase<FlashRNNExpandCellOps> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateExpandCellOpsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::flashrnn::populateExpandCellOpsPatterns(RewritePatternSet &patterns) {
  patterns.add<ExpandSigmoid, ExpandSoftplus, ExpandLogSigmoid,
               ExpandStopGradient>(patterns.getContext());
}
