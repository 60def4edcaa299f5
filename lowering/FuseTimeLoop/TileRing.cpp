//===- TileRing.cpp - a step's tile of a [B, T, G, NH, DH] tensor in a ring ===//
#include "lowering/FuseTimeLoop/TileRing.h"

#include "lowering/Common/ClusterMemory.h"
#include "lowering/Common/KernelABI.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

using namespace mlir;
using namespace mlir::flashrnn;

namespace {
constexpr unsigned kGlobalSpace = 1; // NVPTX .global
} // namespace

TileRing::TileRing(KernelEmitter &em, Value source,
                   const MmaLanePosition &pos, Value head, Value firstUnit,
                   int64_t units, int64_t gates, int64_t threads,
                   int64_t byteOffset)
    : em(em), units(units) {
  OpBuilder &b = em.b;
  Location loc = em.loc;
  auto type = cast<MemRefType>(source.getType());
  Type e = type.getElementType();
  int64_t bytes = e.getIntOrFloatBitWidth() / 8;
  int64_t rows = MmaLanePosition::kRowsPerTile;
  int64_t rowElements = tileRingRowElements(gates, units, bytes);
  slotBytes = rows * rowElements * bytes;
  view = em.sharedView({kWxRingSlots, rows, rowElements}, e, byteOffset);
  base = sharedBaseAddress(b, loc, view);
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulIOp::create(b, loc, x, y);
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, loc, x, y);
  };
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, source);
  auto strides = meta.getStrides();
  Value aligned =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, source);
  stepBytes = mul(strides[1], em.cst(bytes));
  // The innermost (DH) stride is 1: the tensor is dense.
  Value common = add(meta.getOffset(), add(mul(head, strides[3]), firstUnit));
  // A piece is 16 bytes of consecutive units of one gate and row.
  int64_t pieceUnits = 16 / bytes;
  int64_t piecesPerGate = units / pieceUnits,
          piecesPerRow = gates * piecesPerGate;
  int64_t total = rows * piecesPerRow;
  for (int64_t first = 0; first < total; first += threads) {
    Value piece = add(pos.tid, em.cst(first));
    Value active =
        first + threads > total
            ? Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          piece, em.cst(total)))
            : Value();
    Value row = arith::DivUIOp::create(b, loc, piece, em.cst(piecesPerRow));
    Value inRow = arith::RemUIOp::create(b, loc, piece, em.cst(piecesPerRow));
    Value gate = arith::DivUIOp::create(b, loc, inRow, em.cst(piecesPerGate));
    Value unit0 = mul(
        arith::RemUIOp::create(b, loc, inRow, em.cst(piecesPerGate)),
        em.cst(pieceUnits));
    // Rows past B copy row 0 (whose values nobody uses).
    Value batchRow = add(pos.tileStart, row);
    Value safeRow = arith::SelectOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, batchRow,
                              pos.batchSize),
        batchRow, em.cst(0));
    Value index = add(add(common, unit0),
                      add(mul(safeRow, strides[0]), mul(gate, strides[2])));
    Value src = LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext(), kGlobalSpace),
        arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                   add(aligned, mul(index, em.cst(bytes))))
            .getResult());
    Value dst = mul(add(mul(row, em.cst(rowElements)),
                        add(mul(gate, em.cst(units)), unit0)),
                    em.cst(bytes));
    pieces.push_back({src, dst, active});
  }
}

void TileRing::copy(Value t, Value slot) {
  OpBuilder &b = em.b;
  Location loc = em.loc;
  Value stepOffset = arith::MulIOp::create(b, loc, t, stepBytes);
  Value slotOffset = arith::MulIOp::create(b, loc, slot, em.cst(slotBytes));
  for (const Piece &p : pieces) {
    auto issue = [&] {
      NVVM::CpAsyncOp::create(
          b, loc,
          sharedByteAddress(b, loc, base,
                            arith::AddIOp::create(b, loc, slotOffset,
                                                  p.dstOffset)),
          byteAddress(b, loc, p.src, stepOffset), 16,
          NVVM::LoadCacheModifierKind::CG, Value());
    };
    if (p.active)
      em.ifValid(p.active, issue);
    else
      issue();
  }
  NVVM::CpAsyncCommitGroupOp::create(b, loc);
}

void TileRing::wait(int64_t pending) {
  NVVM::CpAsyncWaitGroupOp::create(em.b, em.loc, pending);
}

Value TileRing::read(Value slot, Value row, int64_t gate, Value unitInCta) {
  OpBuilder &b = em.b;
  Location loc = em.loc;
  Value at = arith::AddIOp::create(b, loc, em.cst(gate * units), unitInCta);
  Value v = memref::LoadOp::create(b, loc, view, ValueRange{slot, row, at});
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
}
