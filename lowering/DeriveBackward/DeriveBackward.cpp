//===- DeriveBackward.cpp - the flashrnn-derive-backward pass -------------===//
//
// Reverse-mode automatic differentiation of a cell body. No cell, new ones
// included, needs a hand-written backward: each op of the body has a
// derivative rule here, and the rules compose.
//
// What is saved and what is recomputed: the forward kernel in training mode
// saves, per step, the gate values the body received and the states it
// produced (f32). The adjoint recomputes the body's intermediates (sigmoids,
// tanhs, ...) from them: a few element-wise ops per element are far cheaper
// than storing every intermediate of every step.
//
//===----------------------------------------------------------------------===//
#include "lowering/DeriveBackward/DeriveBackward.h"
#include "lowering/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::flashrnn {
#define GEN_PASS_DEF_FLASHRNNDERIVEBACKWARD
#include "lowering/Passes.h.inc"
} // namespace mlir::flashrnn

using namespace mlir;
using namespace mlir::flashrnn;

namespace {

/// Accumulates adjoints while sweeping the body backwards.
class AdjointBuilder {
public:
  AdjointBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  /// Adds `delta` to the adjoint of `v`.
  void accumulate(Value v, Value delta) {
    auto it = adjoints.find(v);
    if (it == adjoints.end()) {
      adjoints[v] = delta;
      return;
    }
    it->second = arith::AddFOp::create(b, loc, it->second, delta);
  }

  /// The adjoint of `v`, or null if nothing flows into it.
  Value get(Value v) const { return adjoints.lookup(v); }

  /// Applies the derivative rule of `op` (whose result has adjoint `a`).
  LogicalResult propagate(Operation *op, Value a);

  Value cst(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value neg(Value x) { return arith::NegFOp::create(b, loc, x); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }

private:
  OpBuilder &b;
  Location loc;
  llvm::DenseMap<Value, Value> adjoints;
};

LogicalResult AdjointBuilder::propagate(Operation *op, Value a) {
  Value r = op->getNumResults() ? op->getResult(0) : Value();
  auto x = [&](unsigned i) { return op->getOperand(i); };
  Value zero;
  auto zeroValue = [&]() {
    if (!zero)
      zero = cst(0.0);
    return zero;
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      // No gradient flows through constants, comparisons and stop_gradient.
      .Case<arith::ConstantOp, arith::CmpFOp, StopGradientOp>(
          [&](auto) { return success(); })
      .Case([&](arith::AddFOp) {
        accumulate(x(0), a);
        accumulate(x(1), a);
        return success();
      })
      .Case([&](arith::SubFOp) {
        accumulate(x(0), a);
        accumulate(x(1), neg(a));
        return success();
      })
      .Case([&](arith::MulFOp) {
        accumulate(x(0), mul(a, x(1)));
        accumulate(x(1), mul(a, x(0)));
        return success();
      })
      .Case([&](arith::DivFOp) {
        // d(x/y) = dx / y - (x/y) dy / y
        Value ay = div(a, x(1));
        accumulate(x(0), ay);
        accumulate(x(1), neg(mul(ay, r)));
        return success();
      })
      .Case([&](arith::NegFOp) {
        accumulate(x(0), neg(a));
        return success();
      })
      .Case([&](arith::MaximumFOp) {
        // Ties go to the first operand, as in the CPU reference.
        Value first = cmp(arith::CmpFPredicate::OGE, x(0), x(1));
        accumulate(x(0), select(first, a, zeroValue()));
        accumulate(x(1), select(first, zeroValue(), a));
        return success();
      })
      .Case([&](arith::MinimumFOp) {
        Value first = cmp(arith::CmpFPredicate::OLE, x(0), x(1));
        accumulate(x(0), select(first, a, zeroValue()));
        accumulate(x(1), select(first, zeroValue(), a));
        return success();
      })
      .Case([&](arith::SelectOp) {
        accumulate(x(1), select(x(0), a, zeroValue()));
        accumulate(x(2), select(x(0), zeroValue(), a));
        return success();
      })
      .Case([&](math::ExpOp) {
        accumulate(x(0), mul(a, r));
        return success();
      })
      .Case([&](math::LogOp) {
        accumulate(x(0), div(a, x(0)));
        return success();
      })
      .Case([&](math::Log1pOp) {
        accumulate(x(0), div(a, arith::AddFOp::create(b, loc, cst(1.0), x(0))));
        return success();
      })
      .Case([&](math::TanhOp) {
        accumulate(x(0), mul(a, sub(cst(1.0), mul(r, r))));
        return success();
      })
      .Case([&](math::SqrtOp) {
        accumulate(x(0), div(mul(a, cst(0.5)), r));
        return success();
      })
      .Case([&](math::AbsFOp) {
        // sign(x), with sign(0) = 0.
        Value pos = cmp(arith::CmpFPredicate::OGT, x(0), zeroValue());
        Value negative = cmp(arith::CmpFPredicate::OLT, x(0), zeroValue());
        accumulate(x(0),
                   select(pos, a, select(negative, neg(a), zeroValue())));
        return success();
      })
      .Case([&](SigmoidOp) {
        accumulate(x(0), mul(a, mul(r, sub(cst(1.0), r))));
        return success();
      })
      .Case([&](LogSigmoidOp) {
        // d logsigmoid(x) = 1 - sigmoid(x) = sigmoid(-x)
        accumulate(x(0), mul(a, SigmoidOp::create(b, loc, neg(x(0)))));
        return success();
      })
      .Case([&](SoftplusOp) {
        accumulate(x(0), mul(a, SigmoidOp::create(b, loc, x(0))));
        return success();
      })
      .Default([&](Operation *other) {
        return other->emitOpError("has no derivative rule");
      });
}

struct FlashRNNDeriveBackward
    : flashrnn::impl::FlashRNNDeriveBackwardBase<FlashRNNDeriveBackward> {
  void runOnOperation() override {
    SmallVector<CellOp> cells;
    getOperation().walk([&](CellOp cell) { cells.push_back(cell); });
    for (CellOp cell : cells)
      if (failed(deriveAdjoint(cell)))
        return signalPassFailure();
  }
};

} // namespace

func::FuncOp mlir::flashrnn::lookupAdjoint(CellOp cell) {
  Operation *scope = SymbolTable::getNearestSymbolTable(cell);
  func::FuncOp found;
  scope->walk([&](func::FuncOp f) {
    auto of = f->getAttrOfType<FlatSymbolRefAttr>(kAdjointOfAttrName);
    if (of && of.getValue() == cell.getSymName())
      found = f;
  });
  return found;
}

FailureOr<func::FuncOp> mlir::flashrnn::deriveAdjoint(CellOp cell) {
  if (func::FuncOp existing = lookupAdjoint(cell))
    return existing;
  Location loc = cell.getLoc();
  Block &body = cell.getBody().front();
  unsigned numStates = cell.getNumStates();
  unsigned numConstants = cell.getConstants().size();
  unsigned numGateValues = body.getNumArguments() - numStates - numConstants;

  OpBuilder b(cell);
  b.setInsertionPointAfter(cell);
  Type f32 = b.getF32Type();
  SmallVector<Type> inputs(body.getNumArguments() + numStates, f32);
  SmallVector<Type> results(numStates + numGateValues, f32);
  auto func = func::FuncOp::create(
      b, loc, (cell.getSymName() + "_adjoint").str(),
      b.getFunctionType(inputs, results));
  func.setPrivate();
  func->setAttr(kAdjointOfAttrName,
                FlatSymbolRefAttr::get(cell.getSymNameAttr()));
  func->setAttr("flashrnn.saves", b.getStrArrayAttr({"states", "gate_values"}));
  SymbolTable(SymbolTable::getNearestSymbolTable(cell)).insert(func);

  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);

  // Recompute the body's forward values.
  IRMapping map;
  for (BlockArgument arg : body.getArguments())
    map.map(arg, entry->getArgument(arg.getArgNumber()));
  for (Operation &op : body.without_terminator())
    b.clone(op, map);

  // Seed with the incoming state adjoints, then sweep backwards.
  AdjointBuilder adjoint(b, loc);
  Operation *yield = body.getTerminator();
  for (auto [s, v] : llvm::enumerate(yield->getOperands()))
    adjoint.accumulate(map.lookupOrDefault(v),
                       entry->getArgument(body.getNumArguments() + s));
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    Operation *clone = map.lookup(op.getResult(0)).getDefiningOp();
    Value a = adjoint.get(clone->getResult(0));
    if (!a)
      continue;
    if (failed(adjoint.propagate(clone, a)))
      return failure();
  }

  SmallVector<Value> grads;
  Value zero;
  for (unsigned i = 0; i < numStates + numGateValues; ++i) {
    Value g = adjoint.get(entry->getArgument(i));
    if (!g) {
      if (!zero)
        zero = adjoint.cst(0.0);
      g = zero;
    }
    grads.push_back(g);
  }
  func::ReturnOp::create(b, loc, grads);

  // Drop recomputed values nothing needs (e.g. the new states themselves):
  // every op here is pure, so a use count of zero means dead.
  SmallVector<Operation *> ops;
  for (Operation &op : entry->without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (op->use_empty())
      op->erase();
  return func;
}
