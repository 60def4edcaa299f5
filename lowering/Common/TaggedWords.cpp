//===- TaggedWords.cpp - values exchanged with their step's tag -----------===//
#include "lowering/Common/TaggedWords.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace {
constexpr unsigned kGlobalSpace = 1; // NVPTX .global
/// Rounds of polling before a reader gives up and traps: a round is at
/// least one L2 round trip (~0.3 us), so this is tens of seconds, far past
/// any step, and a lost peer ends the launch with an error, not a hang.
constexpr int64_t kMaxPollRounds = int64_t(1) << 26;
constexpr int64_t kTagMask = 0xFFFF0000;

Value cstI32(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, v, 32);
}
} // namespace

Value mlir::flashrnn::exchangeTagBits(OpBuilder &b, Location loc,
                                      Value epoch) {
  Value e = arith::IndexCastUIOp::create(b, loc, b.getI32Type(), epoch);
  Value tag = arith::AddIOp::create(
      b, loc, arith::RemUIOp::create(b, loc, e, cstI32(b, loc, 65535)),
      cstI32(b, loc, 1));
  return arith::ShLIOp::create(b, loc, tag, cstI32(b, loc, 16));
}

Value mlir::flashrnn::globalElementAddress(OpBuilder &b, Location loc,
                                           Value memref, ValueRange indices) {
  auto type = cast<MemRefType>(memref.getType());
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  Value linear = meta.getOffset();
  for (auto [index, stride] : llvm::zip(indices, meta.getStrides()))
    linear = arith::AddIOp::create(
        b, loc, linear, arith::MulIOp::create(b, loc, index, stride));
  Value bytes = arith::MulIOp::create(
      b, loc, linear,
      arith::ConstantIndexOp::create(
          b, loc, type.getElementType().getIntOrFloatBitWidth() / 8));
  Value aligned =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value base = LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext(), kGlobalSpace),
      arith::IndexCastOp::create(b, loc, b.getI64Type(), aligned).getResult());
  return LLVM::GEPOp::create(
      b, loc, base.getType(), b.getI8Type(), base,
      ValueRange{arith::IndexCastOp::create(b, loc, b.getI64Type(), bytes)
                     .getResult()});
}

void mlir::flashrnn::storeTaggedWord(OpBuilder &b, Location loc, Value value,
                                     Type element, Value tagBits,
                                     Value address) {
  Value half = arith::TruncFOp::create(b, loc, element, value);
  Value bits = arith::BitcastOp::create(b, loc, b.getI16Type(), half);
  Value word = arith::OrIOp::create(
      b, loc, arith::ExtUIOp::create(b, loc, b.getI32Type(), bits), tagBits);
  LLVM::StoreOp::create(b, loc, word, address, /*alignment=*/4,
                        /*isVolatile=*/true);
}

SmallVector<Value> mlir::flashrnn::pollTaggedRuns(OpBuilder &b, Location loc,
                                                  ArrayRef<Value> addresses,
                                                  ArrayRef<Value> wanted,
                                                  Value tagBits,
                                                  Type element) {
  Type i32 = b.getI32Type();
  auto runType = VectorType::get({4}, i32);
  SmallVector<Type> resultTypes(addresses.size(), runType);
  resultTypes.push_back(i32);
  auto loop = scf::WhileOp::create(b, loc, resultTypes,
                                   ValueRange{cstI32(b, loc, 0)});
  {
    OpBuilder::InsertionGuard guard(b);
    Block *before = b.createBlock(&loop.getBefore(), {}, {i32}, {loc});
    Value rounds = before->getArgument(0);
    // Every run's load first, so that their L2 round trips overlap.
    SmallVector<Value> runs;
    for (Value address : addresses)
      runs.push_back(LLVM::LoadOp::create(b, loc, runType, address,
                                          /*alignment=*/16,
                                          /*isVolatile=*/true));
    Value tags = vector::BroadcastOp::create(b, loc, runType, tagBits);
    Value mask = vector::BroadcastOp::create(b, loc, runType,
                                             cstI32(b, loc, kTagMask));
    Value waiting = arith::ConstantIntOp::create(b, loc, 0, 1);
    for (auto [run, want] : llvm::zip(runs, wanted)) {
      Value off = arith::AndIOp::create(
          b, loc, arith::XOrIOp::create(b, loc, run, tags), mask);
      Value any = vector::ReductionOp::create(b, loc,
                                              vector::CombiningKind::OR, off);
      Value stale = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                          any, cstI32(b, loc, 0));
      waiting = arith::OrIOp::create(
          b, loc, waiting, arith::AndIOp::create(b, loc, want, stale));
    }
    SmallVector<Value> carried(runs);
    carried.push_back(rounds);
    scf::ConditionOp::create(b, loc, waiting, carried);

    SmallVector<Location> locs(resultTypes.size(), loc);
    Block *after = b.createBlock(&loop.getAfter(), {}, resultTypes, locs);
    Value next = arith::AddIOp::create(b, loc, after->getArguments().back(),
                                       cstI32(b, loc, 1));
    Value lost = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                       next, cstI32(b, loc, kMaxPollRounds));
    scf::IfOp::create(b, loc, lost, [&](OpBuilder &nb, Location l) {
      LLVM::Trap::create(nb, l);
      scf::YieldOp::create(nb, l);
    });
    scf::YieldOp::create(b, loc, ValueRange{next});
  }
  // The values: the low halves of the words.
  SmallVector<Value> values;
  auto halves = VectorType::get({4}, b.getI16Type());
  auto elements = VectorType::get({4}, element);
  for (size_t i = 0; i < addresses.size(); ++i)
    values.push_back(arith::BitcastOp::create(
        b, loc, elements,
        arith::TruncIOp::create(b, loc, halves, loop.getResult(i))));
  return values;
}
