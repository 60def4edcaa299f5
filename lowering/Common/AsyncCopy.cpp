//===- AsyncCopy.cpp - st.async into a cluster's shared memory ------------===//
#include "lowering/Common/AsyncCopy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace {
/// One inline PTX statement with side effects (never moved or merged).
Value inlinePtx(OpBuilder &b, Location loc, Type result, ValueRange operands,
                StringRef ptx, StringRef constraints) {
  auto op = LLVM::InlineAsmOp::create(
      b, loc, result ? result : Type(), operands, ptx, constraints,
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
      ArrayAttr());
  return result ? op.getResult(0) : Value();
}

/// A pointer as the 64-bit register inline PTX takes for an address.
Value addressBits(OpBuilder &b, Location loc, Value pointer) {
  return LLVM::PtrToIntOp::create(b, loc, b.getI64Type(), pointer);
}
} // namespace

void mlir::flashrnn::emitMbarrierInit(OpBuilder &b, Location loc,
                                      Value barrier) {
  inlinePtx(b, loc, Type(), {addressBits(b, loc, barrier)},
            "mbarrier.init.shared::cta.b64 [$0], 1;", "l,~{memory}");
}

void mlir::flashrnn::emitMbarrierInitFence(OpBuilder &b, Location loc) {
  inlinePtx(b, loc, Type(), {}, "fence.mbarrier_init.release.cluster;",
            "~{memory}");
}

void mlir::flashrnn::emitMbarrierArriveExpectTx(OpBuilder &b, Location loc,
                                                Value barrier, Value bytes) {
  inlinePtx(b, loc, Type(), {addressBits(b, loc, barrier), bytes},
            "{ .reg .b64 state; mbarrier.arrive.expect_tx.shared::cta.b64 "
            "state, [$0], $1; }",
            "l,r,~{memory}");
}

void mlir::flashrnn::emitMbarrierWaitParity(OpBuilder &b, Location loc,
                                            Value barrier, Value parity) {
  // try_wait suspends the thread for a while (a hardware time limit)
  // before it reports that the phase is still open; the loop tries again.
  Value address = addressBits(b, loc, barrier);
  Type i32 = b.getI32Type();
  auto loop = scf::WhileOp::create(b, loc, TypeRange{}, ValueRange{});
  {
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&loop.getBefore());
    Value done = inlinePtx(
        b, loc, i32, {address, parity},
        "{ .reg .pred done; mbarrier.try_wait.parity.acquire.cluster."
        "shared::cta.b64 done, [$1], $2; selp.u32 $0, 1, 0, done; }",
        "=r,l,r,~{memory}");
    Value open = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, done,
                                       arith::ConstantIntOp::create(b, loc, 0,
                                                                    32));
    scf::ConditionOp::create(b, loc, open, ValueRange{});
    b.createBlock(&loop.getAfter());
    scf::YieldOp::create(b, loc, ValueRange{});
  }
}

void mlir::flashrnn::emitStoreAsync(OpBuilder &b, Location loc, Value remote,
                                    ArrayRef<Value> words,
                                    Value remoteBarrier) {
  assert((words.size() == 1 || words.size() == 2 || words.size() == 4) &&
         "st.async stores 1, 2 or 4 words");
  std::string ptx = "st.async.shared::cluster.mbarrier::complete_tx::bytes";
  std::string constraints = "l";
  if (words.size() > 1)
    ptx += ".v" + std::to_string(words.size());
  ptx += ".b32 [$0], ";
  if (words.size() > 1)
    ptx += "{";
  for (size_t i = 0; i < words.size(); ++i) {
    ptx += (i ? ", $" : "$") + std::to_string(i + 1);
    constraints += ",r";
  }
  if (words.size() > 1)
    ptx += "}";
  ptx += ", [$" + std::to_string(words.size() + 1) + "];";
  constraints += ",l,~{memory}";
  SmallVector<Value> operands = {addressBits(b, loc, remote)};
  llvm::append_range(operands, words);
  operands.push_back(addressBits(b, loc, remoteBarrier));
  inlinePtx(b, loc, Type(), operands, ptx, constraints);
}
