//===- ClusterMemory.cpp - addresses in a cluster's shared memory ---------===//
#include "lowering/Common/ClusterMemory.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace {
constexpr unsigned kSharedSpace = 3;        // NVPTX .shared
constexpr unsigned kSharedClusterSpace = 7; // NVPTX .shared::cluster
} // namespace

Value mlir::flashrnn::sharedBaseAddress(OpBuilder &b, Location loc,
                                        Value buffer) {
  Value index =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  return LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext(), kSharedSpace),
      arith::IndexCastOp::create(b, loc, b.getI64Type(), index).getResult());
}

Value mlir::flashrnn::byteAddress(OpBuilder &b, Location loc, Value base,
                                  Value byteOffset) {
  return LLVM::GEPOp::create(
      b, loc, base.getType(), b.getI8Type(), base,
      ValueRange{arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                            byteOffset)
                     .getResult()});
}

Value mlir::flashrnn::clusterAddress(OpBuilder &b, Location loc, Value local,
                                     Value rank) {
  return NVVM::MapaOp::create(
      b, loc,
      LLVM::LLVMPointerType::get(b.getContext(), kSharedClusterSpace), local,
      rank);
}
