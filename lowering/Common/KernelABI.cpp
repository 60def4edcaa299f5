//===- KernelABI.cpp - the fused kernels' arguments and thread indexing ---===//
#include "lowering/Common/KernelABI.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::flashrnn;

BlockArgument mlir::flashrnn::lookupKernelArg(gpu::GPUFuncOp func,
                                              llvm::StringRef name) {
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (auto attr = func.getArgAttrOfType<StringAttr>(i, kKernelArgAttrName))
      if (attr.getValue() == name)
        return func.getArgument(i);
  return nullptr;
}

Value mlir::flashrnn::buildBatchSize(OpBuilder &b, Location loc,
                                     gpu::GPUFuncOp func) {
  if (Value wx = lookupKernelArg(func, "wx"))
    return memref::DimOp::create(b, loc, wx, 0);
  return memref::DimOp::create(b, loc, lookupKernelArg(func, "dstates"), 1);
}

ThreadPosition mlir::flashrnn::buildThreadPosition(OpBuilder &b, Location loc,
                                                   gpu::GPUFuncOp func,
                                                   ScheduleAttr schedule) {
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  ThreadPosition p;
  p.cta = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  p.head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  p.tile = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value units = cst(schedule.getUnitsPerCta());
  p.unitInCta = arith::RemUIOp::create(b, loc, tid, units);
  p.row = arith::DivUIOp::create(b, loc, tid, units);
  p.unit = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, p.cta, units), p.unitInCta);
  Value begin = arith::IndexCastOp::create(
      b, loc, b.getIndexType(), lookupKernelArg(func, "batch_begin"));
  Value tileStart = arith::MulIOp::create(b, loc, p.tile,
                                          cst(schedule.getBatchTile()));
  p.batch = arith::AddIOp::create(
      b, loc, begin, arith::AddIOp::create(b, loc, tileStart, p.row));
  p.valid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, p.batch,
                                  buildBatchSize(b, loc, func));
  p.safeBatch = arith::SelectOp::create(b, loc, p.valid, p.batch, cst(0));
  return p;
}

int64_t mlir::flashrnn::estimateMmaBackwardRegisters(llvm::StringRef chip,
                                                     int64_t gates,
                                                     int64_t dh,
                                                     int64_t numStates,
                                                     int64_t numGateValues,
                                                     bool prefetch,
                                                     int64_t kSlices,
                                                     int64_t rowSplit,
                                                     bool ownedOnly) {
  // R^T's fragments (G DH / 16 k-tiles x 4); per element (4) the step's
  // values (dstates, s_{t-1}, gate values), twice with the prefetch, and the
  // carried state gradients; 36 + 16 G for the accumulators, addresses and
  // the adjoint's temporaries (LSTM 64: 236 estimated, 254 used; LSTM 96,
  // which spills 12 bytes, is over 255). ptxas for chips before sm_90
  // takes up to 28 more for the same kernel (sLSTM 64 without the prefetch:
  // 255 and a 4-byte spill on sm_80, 255 and none on sm_90).
  int64_t kTiles = gates * dh / 16 / kSlices;
  int64_t stepValues = 2 * numStates + numGateValues;
  int64_t perElement = stepValues + numStates;
  int64_t olderChip = chip < llvm::StringRef("sm_90") ? 28 : 0;
  // Split over slices, the partial sums, the gather's addresses and the
  // slice's dynamic fragment indices take about 16 more (LSTM 768 at 236
  // estimated used 255 and spilled 4 bytes; Elman 768 spilled 8); with at
  // most two recurrent gates 40 (Li-GRU 768 with 32 k-tiles per warp,
  // estimated 232 with 16, used 255 and spilled 8 bytes).
  int64_t splitCost = kSlices > 1 ? (gates <= 2 ? 40 : 16) : 0;
  // The prefetch carries one more copy of the values of the elements the
  // thread adjoins: all four, or with K slices ceil(4 / S).
  int64_t adjoined = mmaBackwardOwnedElements(kSlices, rowSplit);
  int64_t prefetched = prefetch ? adjoined * stepValues : 0;
  // Carrying only the adjoined elements' state gradients, the thread holds
  // their values and gradients alone (else all four elements'). The
  // prefetch there took 22 registers more than its values (sLSTM 768 on
  // sm_90: estimated 240, used 254 and spilled 8 bytes; sLSTM 512 on sm_80,
  // estimated 236, used 252 and none).
  constexpr int64_t kOwnedOnlyPrefetchCost = 16;
  const bool carriesAdjoined = ownedOnly && kSlices > 1;
  int64_t elements =
      carriesAdjoined ? adjoined : mmaBackwardOwnedElements(1, rowSplit);
  if (carriesAdjoined && prefetch)
    prefetched += kOwnedOnlyPrefetchCost;
  return kTiles * 4 + elements * perElement + prefetched + 36 + 16 * gates +
         olderChip + splitCost;
}

int64_t mlir::flashrnn::mmaBackwardOwnedElements(int64_t kSlices,
                                                 int64_t rowSplit) {
  int64_t elements = 4 / rowSplit;
  return (elements + kSlices - 1) / kSlices;
}

int64_t mlir::flashrnn::registerBudget(int64_t threads) {
  constexpr int64_t kMaxRegistersPerThread = 255;
  constexpr int64_t kRegistersPerPartition = 16384; // sm_80 .. sm_90
  int64_t perPartition = ((threads + 31) / 32 + 3) / 4;
  return std::min<int64_t>(kMaxRegistersPerThread,
                           kRegistersPerPartition / (32 * perPartition) / 8 * 8);
}

int64_t mlir::flashrnn::taggedPollRegisters(int64_t runsPerThread) {
  return 6 * runsPerThread;
}

bool mlir::flashrnn::mmaBackwardPrefetches(llvm::StringRef chip,
                                           int64_t gates, int64_t dh,
                                           int64_t numStates,
                                           int64_t numGateValues,
                                           int64_t kSlices, int64_t threads,
                                           int64_t rowSplit, bool ownedOnly) {
  return estimateMmaBackwardRegisters(chip, gates, dh, numStates,
                                      numGateValues, /*prefetch=*/true,
                                      kSlices, rowSplit, ownedOnly) <=
         registerBudget(threads);
}

bool mlir::flashrnn::mmaBackwardCarriesOwnedOnly(
    llvm::StringRef chip, int64_t gates, int64_t dh, int64_t numStates,
    int64_t numGateValues, int64_t kSlices, int64_t threads) {
  return kSlices > 1 &&
         estimateMmaBackwardRegisters(chip, gates, dh, numStates,
                                      numGateValues, /*prefetch=*/false,
                                      kSlices) > registerBudget(threads);
}

int64_t mlir::flashrnn::estimateMmaForwardRegisters(int64_t gates,
                                                    int64_t kTiles,
                                                    int64_t numStates,
                                                    int64_t wxGates,
                                                    int64_t parts) {
  int64_t mTiles = (gates + 1) / 2;
  int64_t perElement = numStates + gates + wxGates;
  return mTiles * kTiles * 4 + parts * (mTiles * 8 + 2 * kTiles) +
         2 * perElement + 40;
}

int64_t mlir::flashrnn::estimateStreamedForwardRegisters(
    int64_t gates, int64_t registerKTiles, int64_t numStates,
    int64_t wxGates, int64_t parts) {
  int64_t mTiles = (gates + 1) / 2;
  int64_t perElement = numStates + gates + wxGates;
  constexpr int64_t kOddGateRegisters = 18;
  // R's fragments, the accumulators and two k-tiles of h per part, the
  // elements' values, the rest.
  return mTiles * registerKTiles * 4 + parts * (mTiles * 8 + 4) +
         2 * perElement + 40 + (gates % 2 ? kOddGateRegisters : 0) +
         8 * (parts - 1);
}

int64_t mlir::flashrnn::mmaForwardPartialsBytes(int64_t slices,
                                                int64_t units, int64_t gates) {
  if (slices == 1)
    return 0;
  return slices * (units / 8) * ((gates + 1) / 2) * 4 * 32 * 4;
}

int64_t mlir::flashrnn::stagedStoreBytes(llvm::ArrayRef<Type> types,
                                         int64_t rows, int64_t units) {
  int64_t bytes = 0;
  for (Type t : types) {
    int64_t size = t.getIntOrFloatBitWidth() / 8;
    bytes += 2 * rows * (units + 16 / size) * size;
  }
  return bytes;
}

int64_t mlir::flashrnn::stagedStoreRegisters(llvm::StringRef chip,
                                             int64_t streams) {
  return (chip >= "sm_90" ? 3 : 8) * streams;
}

int64_t mlir::flashrnn::tileRingRowElements(int64_t gates, int64_t units,
                                            int64_t elementBytes) {
  int64_t perPiece = 16 / elementBytes;
  int64_t elements = gates * units; // a multiple of perPiece (16 bytes)
  return (elements / perPiece) % 2 == 0 ? elements + perPiece : elements;
}

int64_t mlir::flashrnn::tileRingBytes(int64_t gates, int64_t units,
                                      int64_t rows, int64_t elementBytes) {
  return kWxRingSlots * rows * tileRingRowElements(gates, units, elementBytes) *
         elementBytes;
}
