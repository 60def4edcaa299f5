//===- MmaEmitter.h - mma.sync fragments of bf16/f16 operands --*- C++ -*-===//
//
// The operand registers and the m16n8k16 mma.sync of the tensor-core
// kernels (MmaForwardKernel.cpp, MmaBackwardKernel.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_FUSETIMELOOP_MMAEMITTER_H
#define FLASHRNN_LOWERING_FUSETIMELOOP_MMAEMITTER_H

#include "lowering/Common/ClusterMemory.h"
#include "lowering/FuseTimeLoop/KernelBuilder.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cassert>

namespace mlir::flashrnn {

/// Emits the fragment loads and mma.sync ops of one element type.
struct MmaEmitter {
  MmaEmitter(KernelEmitter &em, Type elementType)
      : em(em), elementType(elementType) {}

  /// The register type of a pair of operands: i32 for bf16 (as NVVM's mma
  /// wants it), vector<2xf16> for f16.
  Type pairType() {
    if (elementType.isBF16())
      return em.b.getI32Type();
    return VectorType::get({2}, elementType);
  }

  /// Two consecutive elements of `memref` at `indices` (the last index is
  /// even, so the pair is 4-byte aligned) as one operand register.
  Value loadPair(Value memref, ValueRange indices) {
    OpBuilder &b = em.b;
    auto vecType = VectorType::get({2}, elementType);
    auto load = vector::LoadOp::create(b, em.loc, vecType, memref, indices);
    load.setAlignment(4);
    if (!elementType.isBF16())
      return load;
    Value bits = vector::BitCastOp::create(
        b, em.loc, VectorType::get({1}, b.getI32Type()), load);
    return vector::ExtractOp::create(b, em.loc, bits, ArrayRef<int64_t>{0});
  }

  /// The B fragments (N = 8 rows, K = 16 per k-tile) of `kTiles` k-tiles of
  /// a tile of 8 rows of 16-bit elements in shared memory, `rowStride`
  /// elements apart, at `tile` (!llvm.ptr<3>), from input `firstColumn` on:
  /// the same registers as loadPair at (row g, inputs 16kt + 2q (+8)), by
  /// one ldmatrix.x4 per two k-tiles (x2 for an odd last one) instead of
  /// four 32-bit loads. Lane l gives the address of row l % 8 of matrix
  /// l / 8 (8 consecutive inputs); every row must be 16-byte aligned, and
  /// all lanes of the warp must run it. Returns [kt][half].
  SmallVector<Value> ldMatrixPairs(Value tile, Value lane, Value firstColumn,
                                   int64_t rowStride, int64_t kTiles) {
    OpBuilder &b = em.b;
    Location loc = em.loc;
    Value row = arith::RemUIOp::create(b, loc, lane, em.cst(8));
    Value matrix = arith::DivUIOp::create(b, loc, lane, em.cst(8));
    int64_t bytes = elementType.getIntOrFloatBitWidth() / 8;
    // The callers' layouts guarantee it (DH is a multiple of 16 on tensor
    // cores); a misaligned row would make ldmatrix fault at run time.
    assert(rowStride * bytes % 16 == 0 &&
           "ldmatrix rows must be 16-byte aligned");
    // Byte offset of input `column` of the lane's row.
    auto at = [&](Value column) {
      Value element = arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, row, em.cst(rowStride)),
          column);
      return sharedByteAddress(
          b, loc, tile,
          arith::MulIOp::create(b, loc, element, em.cst(bytes)));
    };
    Type i32 = b.getI32Type();
    SmallVector<Value> pairs;
    for (int64_t kt = 0; kt < kTiles; kt += 2) {
      int64_t num = kt + 1 < kTiles ? 4 : 2;
      // x4: matrices 0-3 are inputs 16kt + 0, 8, 16, 24; x2 reads the
      // addresses of lanes 0-15 only (the others repeat them).
      Value which = num == 4 ? matrix
                             : arith::RemUIOp::create(b, loc, matrix,
                                                      em.cst(2));
      Value column = arith::AddIOp::create(
          b, loc, firstColumn,
          arith::AddIOp::create(
              b, loc, em.cst(16 * kt),
              arith::MulIOp::create(b, loc, which, em.cst(8))));
      Type resultType = LLVM::LLVMStructType::getLiteral(
          b.getContext(), SmallVector<Type>(num, i32));
      Value loaded = NVVM::LdMatrixOp::create(
          b, loc, resultType, at(column), num, NVVM::MMALayout::row,
          NVVM::LdStMatrixShapeAttr::get(b.getContext(), 8, 8),
          NVVM::LdStMatrixEltType::B16);
      for (int64_t i = 0; i < num; ++i) {
        Value word = LLVM::ExtractValueOp::create(b, loc, loaded, i);
        pairs.push_back(elementType.isBF16()
                            ? word
                            : Value(LLVM::BitcastOp::create(
                                  b, loc, pairType(), word)));
      }
    }
    return pairs;
  }

  Value zeroPair() {
    OpBuilder &b = em.b;
    if (elementType.isBF16())
      return arith::ConstantIntOp::create(b, em.loc, 0, 32);
    auto vecType = VectorType::get({2}, elementType);
    return arith::ConstantOp::create(
        b, em.loc, DenseElementsAttr::get(vecType, b.getZeroAttr(elementType)));
  }

  /// d = a . b + c, m16n8k16, row-major A, column-major B, f32 accumulators.
  SmallVector<Value> mma(ArrayRef<Value> a, ArrayRef<Value> bFrag,
                         ArrayRef<Value> c) {
    OpBuilder &b = em.b;
    Type f32 = b.getF32Type();
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), {f32, f32, f32, f32});
    NVVM::MMATypes type = elementType.isBF16() ? NVVM::MMATypes::bf16
                                               : NVVM::MMATypes::f16;
    auto op = NVVM::MmaOp::create(
        b, em.loc, resultType, a, bFrag, c, ArrayRef<int64_t>{16, 8, 16},
        std::nullopt, std::nullopt,
        std::array<NVVM::MMATypes, 2>{type, type},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    SmallVector<Value> d;
    for (int64_t i = 0; i < 4; ++i)
      d.push_back(LLVM::ExtractValueOp::create(b, em.loc, op, i));
    return d;
  }

  KernelEmitter &em;
  Type elementType;
};

/// `acc` plus the partial sums of K slices [first, slices) for accumulator
/// `index` of the thread's lane, from the split kernels' shared buffer
/// [slice][group][accumulator][lane] (the slices add them in slice order).
inline Value addPartialSums(KernelEmitter &em, Value acc, Value partials,
                            int64_t first, int64_t slices, Value group,
                            Value index, Value lane) {
  for (int64_t other = first; other < slices; ++other)
    acc = arith::AddFOp::create(
        em.b, em.loc, acc,
        memref::LoadOp::create(em.b, em.loc, partials,
                               ValueRange{em.cst(other), group, index, lane}));
  return acc;
}
inline Value addPartialSums(KernelEmitter &em, Value acc, Value partials,
                            int64_t first, int64_t slices, Value group,
                            int64_t index, Value lane) {
  return addPartialSums(em, acc, partials, first, slices, group,
                        em.cst(index), lane);
}

/// Where a thread of a tensor-core kernel is: warp w, lane (g = lane / 4,
/// q = lane % 4), head (grid y), and the two batch rows 2q, 2q+1 of its
/// CTA's tile of kRowsPerTile (grid z; the mma N dimension), with `valid`
/// (the row is inside the batch) and `safeBatch` (the row, or 0).
struct MmaLanePosition {
  static constexpr int64_t kRowsPerTile = 8;
  Value tid, head, warp, g, q;
  Value tileStart, batchSize; // the CTA's first batch row; B
  SmallVector<Value> row, batch, valid, safeBatch; // per row 2q, 2q+1

  MmaLanePosition(KernelEmitter &em, gpu::GPUFuncOp func) {
    OpBuilder &b = em.b;
    Location loc = em.loc;
    tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
    Value tile = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
    warp = arith::DivUIOp::create(b, loc, tid, em.cst(32));
    Value lane = arith::RemUIOp::create(b, loc, tid, em.cst(32));
    g = arith::DivUIOp::create(b, loc, lane, em.cst(4));
    q = arith::RemUIOp::create(b, loc, lane, em.cst(4));
    batchSize = buildBatchSize(b, loc, func);
    Value begin = arith::IndexCastOp::create(
        b, loc, b.getIndexType(), lookupKernelArg(func, "batch_begin"));
    tileStart = arith::AddIOp::create(
        b, loc, begin,
        arith::MulIOp::create(b, loc, tile, em.cst(kRowsPerTile)));
    for (int64_t r = 0; r < 2; ++r) {
      row.push_back(arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, q, em.cst(2)), em.cst(r)));
      batch.push_back(arith::AddIOp::create(b, loc, tileStart, row[r]));
      valid.push_back(arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ult, batch[r], batchSize));
      safeBatch.push_back(
          arith::SelectOp::create(b, loc, valid[r], batch[r], em.cst(0)));
    }
  }
};

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_FUSETIMELOOP_MMAEMITTER_H
