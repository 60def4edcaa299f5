//===- MmaForwardKernel.cpp - the tensor-core persistent forward kernel ---===//
//
// The forward on tensor cores (schedule rPlacement "registers"): per step
// and warp,
//   D[16 x 8] += A[16 x 16] . B[16 x 8]      (mma.sync m16n8k16, f32 acc.)
// where A is a tile of R (M = gate rows, K = hidden inputs), B a tile of
// h_{t-1} (K = hidden inputs, N = the CTA's 8 batch rows) and D the
// recurrent gate pre-activations.
//
// Layout choices, all so that nothing but h (and, with K slices, the
// partial sums) crosses threads:
//   * A CTA owns U = unitsPerCta hidden units of the head (all of them, or
//     1/C of them for a head spread over C CTAs with a grid barrier), in
//     groups of 8. Warp w serves group w mod (U/8) and K slice w / (U/8):
//     with S slices (threads = 4 U S) each warp multiplies 1/S of the K
//     dimension, so that a big head's fragments fit the registers; slice 0
//     adds the other slices' partial sums (through shared memory, one more
//     barrier), runs the cell and publishes h, the others only multiply.
//   * Warp w of slice 0 owns the 8 hidden units 8w .. 8w+7 of the CTA. Its m-tile mt
//     stacks two recurrent gates of those units: rows 0-7 are gate 2mt,
//     rows 8-15 gate 2mt+1. The accumulator fragment of lane (g = lane/4,
//     q = lane%4) then holds, for unit 8w+g and batch rows 2q and 2q+1, the
//     two gates of the m-tile: with ceil(Gr/2) m-tiles a thread has every
//     gate of its two (unit, batch row) elements and runs the cell body for
//     them without any exchange.
//   * R's fragments do not change over the sequence. They are loaded at the
//     top of the time loop with loop-invariant indices; the
//     cache-recurrent-weights pass hoists them above the loop, so they live
//     in registers for the whole sequence (ceil(Gr/2) * DH/16 * 4 registers).
//     With the schedule's sharedRTiles = X, the last X k-tiles of each
//     warp's slice live in shared memory instead, where a head's R fits
//     registers and shared memory together but not registers alone (a
//     768 head over a cluster of 16 CTAs): before the loop each thread
//     stores those fragments, 16 bytes per m-tile and k-tile, at
//     [warp][tile][m-tile][lane], and every step it reads its own back (one
//     conflict-free 16-byte load per fragment; no thread reads another's,
//     so no barrier).
//   * h_{t-1} is kept in shared memory in the element type, [slot][row][i]
//     with rows padded by 8 elements (an odd number of 16-byte units): in
//     the inference forward the B fragments of two k-tiles are one
//     ldmatrix.x4, whose 8 row addresses per matrix hit different banks; in
//     training (hi and lo parts, rows of DH + 4, not 16-byte aligned) a B
//     fragment is two 32-bit loads of consecutive inputs, and the 8 rows x
//     4 lanes of a load hit 32 different banks. Double-buffered, so one
//     barrier per step suffices (flashrnn.exchange, lowered by grid-sync).
//   * In the inference forward without K slices the input part of each
//     gate that is not split (Wx + b) starts its first accumulator.
//   * The K chain of each m-tile is split over two accumulators (even and
//     odd k-tiles) to halve the dependent chain of mma.sync latencies.
//     Except where the matmul is streamed (R's fragments partly in shared
//     memory, or a head over a non-portable cluster of more than 8 CTAs):
//     there h comes two k-tiles at a time, each multiplied into every
//     m-tile before the next two, with one chain per m-tile, so that few of
//     h's fragments and accumulators are live at once.
//   * Wx goes through a ring of kWxRingSlots steps of the CTA's Wx tile in
//     shared memory (TileRing.h): every step the CTA's threads copy the tile of
//     a step 3 or 4 ahead with cp.async (16 bytes, 8 units of one gate and
//     row, per copy), one commit group per step, and wait for the steps
//     the next step reads just before the step's barrier, which then makes
//     them visible to the threads that read them. Where the inputs are
//     folded, a step reads the next step's inputs after its mma. No
//     register carries a value in flight from global memory: carried in
//     registers (one or two steps ahead, a shift register of loop-carried
//     words), ptxas copied each prefetched word into its next register at
//     the top of the following step, and that move waited for the load
//     (ncu, H200, LSTM 64x12, B = 16: 29.5% of the forward's stall samples
//     on one such move, docs/PERFORMANCE.md, seventh session).
//   * With the schedule's stagedStores, the step's output rows (states; in
//     training also the saved gate values and states) go through a stage
//     at the end of the shared memory and are written a step later as
//     16-byte runs (StagedStores.h): one scattered 2- or 4-byte store per
//     value and thread otherwise. The planner stages where it measured a
//     gain (KernelABI.h: kMinStagedStreams, kMinStagedUnits).
//   * In training mode, where the schedule has recurrentParts = 2, h is
//     split into two bf16/f16 parts, h = hi + lo (lo the rounding error of
//     hi), and the matmul runs on both: R . h then carries about 16 bits of
//     h instead of 8, as the scalar kernel's f32 h does. The backward
//     differentiates through the saved gate values, and cells with a max or
//     an exponential gate (sLSTM, Li-GRU) turn an 8-bit h into gradient
//     errors of 2e-2 at T = 1024 (measured, docs/GPU.md); with the split
//     they stay at the element type's rounding. The parts sit side by side
//     per row ([slot][row][part][input], rows padded by 4 so that the 8 rows
//     of a load still hit 32 different banks). The planner asks for one
//     part where the cell body is smooth (isSmoothCellBody): the training
//     forward then runs the inference forward's matmul.
//
//===----------------------------------------------------------------------===//
#include "lowering/Common/ClusterMemory.h"
#include "lowering/FuseTimeLoop/KernelBuilder.h"
#include "lowering/FuseTimeLoop/MmaEmitter.h"
#include "lowering/FuseTimeLoop/StagedStores.h"
#include "lowering/FuseTimeLoop/TileRing.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::flashrnn;

gpu::GPUFuncOp mlir::flashrnn::buildMmaForwardKernel(gpu::GPUModuleOp module,
                                                     StringRef name,
                                                     SequenceOp sequence,
                                                     CellOp cell,
                                                     ScheduleAttr schedule,
                                                     bool training) {
  SequenceShape shape(sequence);
  Type e = shape.elementType;
  int64_t dh = shape.headDim;
  int64_t gw = shape.wxGates;
  int64_t gr = shape.rGates;
  int64_t s = shape.states;
  CellLayout layout(cell);
  KernelEmitter em(sequence.getContext(), sequence.getLoc(), e);
  OpBuilder &b = em.b;
  Location loc = em.loc;
  Type f32 = b.getF32Type();
  MmaEmitter mma(em, e);
  constexpr int64_t kRowsPerTile = MmaLanePosition::kRowsPerTile;
  constexpr int64_t kElements = 2;    // (unit, batch row) pairs per thread
  const int64_t unitsPerCta = schedule.getUnitsPerCta();
  const int64_t groups = unitsPerCta / 8;
  const int64_t kSlices = schedule.getThreads() / (32 * groups);
  const int64_t mTiles = (gr + 1) / 2, kTiles = dh / 16 / kSlices;
  // k-tiles of the warp's slice whose R fragments live in shared memory
  // (the last ones), and those in registers.
  const int64_t sharedTiles = schedule.getSharedRTiles();
  const int64_t registerTiles = kTiles - sharedTiles;
  assert(sharedTiles >= 0 && sharedTiles <= kTiles &&
         "sharedRTiles is at most the k-tiles of a slice");
  // A head over a non-portable cluster (more than 8 CTAs) streams its
  // matmul: two k-tiles of h at a time, one K chain per m-tile (below), as
  // the planner's estimate for it assumes (estimateStreamedForwardRegisters).
  const bool streamed =
      sharedTiles > 0 ||
      (schedule.getCluster() &&
       schedule.getCtasPerHead() > kPortableClusterCtas);
  // The inference forward of a training package shares its schedule and
  // stages only where it has kMinStagedStreams rows per element and step.
  int64_t stagedStreams =
      training ? 2 * s + int64_t(layout.numGateValues) : s;
  if (!schedule.getStagedStores() || stagedStreams < kMinStagedStreams)
    stagedStreams = 0;
  // h parts: hi only, or in training where the schedule says so hi and lo
  // (see the file comment).
  const int64_t parts = training ? schedule.getRecurrentParts() : 1;
  // Padded row of one part, in elements: a row of all parts is 4 (mod 32)
  // words, so the 8 rows read by one fragment load hit different banks.
  const int64_t rowStride = parts == 2 ? dh + 4 : dh + 8;

  SmallVector<KernelArgSpec> args =
      forwardKernelArgs(b, shape, layout, training);
  gpu::GPUFuncOp func =
      em.createKernel(module, name, args, schedule, schedule.getThreads());
  // One CTA per SM is all the schedule needs: without this ptxas aims at two
  // and caps the registers at 128, spilling R's fragments (measured on the
  // LSTM training forward).
  func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                b.getI32IntegerAttr(1));
  // The CTAs of a head as one thread-block cluster (grid x = ctasPerHead):
  // PTX .reqnctapercluster, so that a plain launch forms the clusters.
  if (schedule.getCluster())
    func->setAttr(NVVM::NVVMDialect::getClusterDimAttrName(),
                  b.getDenseI32ArrayAttr(
                      {int32_t(schedule.getCtasPerHead()), 1, 1}));
  auto arg = [&](StringRef n) -> Value { return lookupKernelArg(func, n); };

  // Where the thread is: warp w (group w mod U/8, slice w / (U/8)), lane
  // (g, q); unit C_idx U + 8 group + g; rows 2q, 2q+1.
  MmaLanePosition pos(em, func);
  Value head = pos.head, g = pos.g, q = pos.q;
  Value group = arith::RemUIOp::create(b, loc, pos.warp, em.cst(groups));
  Value slice = arith::DivUIOp::create(b, loc, pos.warp, em.cst(groups));
  Value cta = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value unit = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, cta, em.cst(unitsPerCta)),
      arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, group, em.cst(8)), g));
  // Slice 0 runs the cell and publishes; without slices every warp does.
  Value owner =
      kSlices > 1 ? Value(arith::CmpIOp::create(b, loc,
                                                arith::CmpIPredicate::eq,
                                                slice, em.cst(0)))
                  : Value();
  Value lane = arith::RemUIOp::create(b, loc, pos.tid, em.cst(32));
  ArrayRef<Value> batch = pos.batch, valid = pos.valid,
                  safeBatch = pos.safeBatch;

  // h of the tile's rows in shared memory: [slot][row][input], padded. The
  // exchange sees the same bytes as [slot][row pair q][j][unit], so that one
  // flashrnn.exchange publishes both of the thread's rows.
  Value hs = em.sharedView({2, kRowsPerTile, parts, rowStride}, e);
  Value hsPairs =
      em.sharedView({2, kRowsPerTile / 2, kElements * parts, rowStride}, e);
  // The K slices' partial sums, after h: [slice][group][accumulator][lane].
  const int64_t hsBytes = 2 * kRowsPerTile * parts * rowStride *
                          (e.getIntOrFloatBitWidth() / 8);
  Value partials =
      kSlices > 1 ? em.sharedView({kSlices, groups, mTiles * 4, 32}, f32,
                                  hsBytes)
                  : Value();
  // Publishes the h of both of the thread's rows: as hi and lo parts in
  // training (see the file comment), from slice 0 only.
  auto publish = [&](ValueRange h, Value slot, Value epoch) {
    ExchangeOp::create(b, loc, h, hsPairs, slot, q, unit, epoch, owner,
                       kElements, parts);
  };

  // With stagedStores, the step's output rows (states; in training also
  // the saved gate values and states) go through a stage at the end of the
  // shared memory and leave a step later as 16-byte runs (StagedStores.h).
  std::optional<StagedRowStores> stager;
  if (stagedStreams) {
    SmallVector<StagedStream> streams;
    auto stream = [&](StringRef name, auto indices) {
      streams.push_back({arg(name), indices});
    };
    for (int64_t st = 0; st < s; ++st)
      stream("states", [&, st](Value bt, Value t, Value u) {
        return SmallVector<Value>{em.cst(st), bt, t, head, u};
      });
    if (training) {
      for (int64_t gv = 0; gv < layout.numGateValues; ++gv)
        stream("saved_gates", [&, gv](Value bt, Value t, Value u) {
          return SmallVector<Value>{bt, t, em.cst(gv), head, u};
        });
      for (int64_t st = 0; st < s; ++st)
        stream("saved_states", [&, st](Value bt, Value t, Value u) {
          return SmallVector<Value>{em.cst(st), bt, t, head, u};
        });
    }
    SmallVector<Type> types;
    for (const StagedStream &st : streams)
      types.push_back(
          cast<MemRefType>(st.memref.getType()).getElementType());
    int64_t stageBytes = stagedStoreBytes(types, kRowsPerTile, unitsPerCta);
    Value firstUnit = arith::MulIOp::create(b, loc, cta, em.cst(unitsPerCta));
    stager.emplace(em, streams, kRowsPerTile, unitsPerCta,
                   schedule.getSharedBytes() - stageBytes,
                   schedule.getThreads(), pos.tid, firstUnit, pos.tileStart,
                   pos.batchSize);
  }
  Value unitInCta = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, group, em.cst(8)), g);

  // Biases do not change over time: load them once (they depend on the unit
  // only).
  auto gates = llvm::to_vector(cell.getGates().getAsRange<GateAttr>());
  SmallVector<Value> inputBias, recurrentBias;
  loadBiases(em, cell, layout, arg("b"), head, unit, inputBias,
             recurrentBias);

  Value steps = memref::DimOp::create(b, loc, arg("wx"), 1);
  Value lastStep = arith::SubIOp::create(b, loc, steps, em.cst(1));
  // Step t + d, clamped to the last step (the loads past the end are
  // harmless repeats of it).
  auto stepAhead = [&](Value t, int64_t d) -> Value {
    return arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, t, em.cst(d)), lastStep);
  };

  // The input part of a gate that is not split (its Wx value plus its
  // bias, both known before h_{t-1} is) starts the gate's first
  // accumulator, so that the mma adds R.h to it: one add per gate and
  // element less after the matmul, on the step's dependent chain. Only
  // without K slices: with them slice 0 adds the other slices' partial
  // sums, which must not carry the input again. Only in the inference
  // forward: the training forward measured slower with it (H200, LSTM
  // 64x12, B = 16: 0.756 -> 0.784 ms, f16 0.756 -> 0.773, in the same run
  // as the inference forward's 0.690 -> 0.680 with ldmatrix and the Wx
  // pointers; docs/PERFORMANCE.md, sixth session).
  SmallVector<bool> folded(gates.size(), false);
  // Per Wx row: the bias its folded gate adds when the row is read, or null.
  SmallVector<Value> foldBias(gw);
  if (kSlices == 1 && !training)
    for (size_t k = 0; k < gates.size(); ++k) {
      if (gates[k].getSplit() || layout.rRow[k] < 0 ||
          (layout.wxRow[k] < 0 && !inputBias[k]))
        continue;
      folded[k] = true;
      if (layout.wxRow[k] >= 0)
        foldBias[layout.wxRow[k]] = inputBias[k];
    }
  // A folded gate's input part is already in its accumulator.
  SmallVector<Value> unfoldedBias(inputBias);
  for (size_t k = 0; k < gates.size(); ++k)
    if (folded[k])
      unfoldedBias[k] = Value();

  // Wx through the ring, after h and the partial sums. Where the inputs
  // are folded (the inference forward without K slices) each step reads
  // the next step's inputs (readEarly), and step t + 4 goes into the slot
  // of step t (read during step t - 1); elsewhere each step reads its own,
  // and step t + 3 goes into the slot of step t - 1. Either way the wait
  // before a step's barrier leaves the two newest steps in flight: read
  // early, t + 1 and t + 2 are complete (t + 1 read during t); read at use,
  // t + 1. Measured (H200, B = 16; docs/PERFORMANCE.md, seventh session):
  // reading early took the inference forward of LSTM 64x12 from 0.366 to
  // 0.332 ms (GRU 0.299 -> 0.284, sLSTM 0.654 -> 0.596), but the training
  // forward of GRU from 0.500 to 0.550 and LSTM 768's K-sliced forward from
  // 2.294 to 2.376.
  const bool readEarly = kSlices == 1 && !training;
  const int64_t ringDepth = readEarly ? kWxRingSlots : kWxRingSlots - 1;
  const int64_t partialsBytes =
      mmaForwardPartialsBytes(kSlices, unitsPerCta, gr);
  TileRing ring(em, arg("wx"), pos, head,
              arith::MulIOp::create(b, loc, cta, em.cst(unitsPerCta)),
              unitsPerCta, gw, schedule.getThreads(), hsBytes + partialsBytes);
  for (int64_t d = 0; d < ringDepth; ++d)
    ring.copy(stepAhead(em.cst(0), d), em.cst(d));
  ring.wait(TileRing::kInFlight);
  // A step's inputs out of ring slot `ringSlot`, per element and Wx row
  // ([element * gw + row], f32), a folded gate's row with its bias added.
  auto readInputs = [&](Value ringSlot) {
    SmallVector<Value> inputs;
    for (int64_t j = 0; j < kElements; ++j)
      for (int64_t k = 0; k < gw; ++k)
        inputs.push_back(gateInputPart(
            em, ring.read(ringSlot, pos.row[j], k, unitInCta), foldBias[k]));
    return inputs;
  };

  // Loop-carried: the states of both elements.
  SmallVector<Value> initial;
  for (int64_t j = 0; j < kElements; ++j)
    for (int64_t st = 0; st < s; ++st)
      initial.push_back(
          em.loadF32(arg("s0"), {em.cst(st), safeBatch[j], head, unit}));
  SmallVector<Value> h0 = {initial[layout.recurrentState],
                           initial[s + layout.recurrentState]};
  // Read early, step 0's inputs come into the loop: read between a barrier
  // after the copies' wait and the barrier of h_0's publication, so that
  // no thread's first copy (step 4, into slot 0) overwrites them first.
  if (readEarly) {
    gpu::BarrierOp::create(b, loc);
    llvm::append_range(initial, readInputs(em.cst(0)));
  }
  publish(h0, em.cst(0), em.cst(0));
  const int64_t inputsAt = kElements * s;

  // Indices of R's fragments (loop-invariant): lane g reads row unit, the
  // columns 16kt + 2q (+8) of the warp's slice of K.
  // The first input of the warp's K slice, and h's shared tile as an
  // address (for ldmatrix).
  Value sliceColumn =
      arith::MulIOp::create(b, loc, slice, em.cst(16 * kTiles));
  Value hsBase = sharedBaseAddress(b, loc, hs);
  Value sliceStart = arith::AddIOp::create(
      b, loc, sliceColumn, arith::MulIOp::create(b, loc, q, em.cst(2)));
  SmallVector<Value> column; // per k-tile: low and high half
  for (int64_t kt = 0; kt < kTiles; ++kt)
    for (int64_t half = 0; half < 2; ++half)
      column.push_back(arith::AddIOp::create(b, loc, sliceStart,
                                             em.cst(16 * kt + 8 * half)));

  // R's fragments of k-tile kt, m-tile mt: its 4 operand registers
  // (half, gate), the zero pair for a gate past Gr.
  auto rFragment = [&](int64_t mt, int64_t kt) {
    SmallVector<Value> regs;
    for (int64_t half = 0; half < 2; ++half)
      for (int64_t gate = 2 * mt; gate < 2 * mt + 2; ++gate)
        regs.push_back(gate < gr ? mma.loadPair(arg("r"),
                                                {em.cst(gate), head, unit,
                                                 column[2 * kt + half]})
                                 : mma.zeroPair());
    return regs;
  };
  // The shared k-tiles' fragments, stored once by their own thread:
  // [warp][tile][m-tile][lane][4 words], after the ring.
  Value rShared;
  if (sharedTiles > 0) {
    int64_t bytes = e.getIntOrFloatBitWidth() / 8;
    int64_t offset = hsBytes + partialsBytes +
                     tileRingBytes(gw, unitsPerCta, kRowsPerTile, bytes);
    rShared = em.sharedView({schedule.getThreads() / 32, sharedTiles, mTiles,
                             32, 4},
                            b.getI32Type(), offset);
    auto wordsType = VectorType::get({4}, b.getI32Type());
    for (int64_t st = 0; st < sharedTiles; ++st)
      for (int64_t mt = 0; mt < mTiles; ++mt) {
        SmallVector<Value> words;
        for (Value v : rFragment(mt, registerTiles + st))
          words.push_back(v.getType().isInteger(32)
                              ? v
                              : Value(LLVM::BitcastOp::create(
                                    b, loc, b.getI32Type(), v)));
        auto store = vector::StoreOp::create(
            b, loc, vector::FromElementsOp::create(b, loc, wordsType, words),
            rShared,
            ValueRange{pos.warp, em.cst(st), em.cst(mt), lane, em.cst(0)});
        store.setAlignment(16);
      }
  }

  auto timeLoop = scf::ForOp::create(b, loc, em.cst(0), steps, em.cst(1),
                                     initial);
  timeLoop->setAttr(kTimeLoopAttrName, b.getUnitAttr());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(timeLoop.getBody());
    Value t = timeLoop.getInductionVar();
    ValueRange carried = timeLoop.getRegionIterArgs();
    Value slot = arith::RemUIOp::create(b, loc, t, em.cst(2));

    // Wx ringDepth steps ahead into the ring first: the copy's latency
    // hides behind this and the following steps. Read early, this step's
    // inputs were read during the previous one (below); else now.
    ring.copy(stepAhead(t, ringDepth),
              arith::RemUIOp::create(
                  b, loc, arith::AddIOp::create(b, loc, t,
                                                em.cst(ringDepth)),
                  em.cst(kWxRingSlots)));
    SmallVector<Value> inputs =
        readEarly ? SmallVector<Value>(
                        carried.slice(inputsAt, kElements * gw))
                  : readInputs(arith::RemUIOp::create(
                        b, loc, t, em.cst(kWxRingSlots)));

    // R's A fragments of m-tile mt and k-tile kt: loop-invariant loads
    // (registers; see the file comment) or, for the shared k-tiles, the
    // thread's own copy out of shared memory, here in the step.
    auto wordsType = VectorType::get({4}, b.getI32Type());
    auto fragmentAt = [&](int64_t mt, int64_t kt) -> SmallVector<Value> {
      if (kt < registerTiles)
        return rFragment(mt, kt);
      auto load = vector::LoadOp::create(
          b, loc, wordsType, rShared,
          ValueRange{pos.warp, em.cst(kt - registerTiles), em.cst(mt), lane,
                     em.cst(0)});
      load.setAlignment(16);
      SmallVector<Value> regs;
      for (int64_t i = 0; i < 4; ++i) {
        Value word =
            vector::ExtractOp::create(b, loc, load, ArrayRef<int64_t>{i});
        regs.push_back(e.isBF16() ? word
                                  : Value(LLVM::BitcastOp::create(
                                        b, loc, mma.pairType(), word)));
      }
      return regs;
    };

    // h_{t-1}'s B fragments of k-tiles [first, first + count): batch row g,
    // inputs 16kt + 2q (+8), per part ([part][kt][half]). With one part
    // (inference) they come from ldmatrix, one per two k-tiles instead of
    // four 32-bit loads (mma.ldMatrixPairs).
    // (The tile's address is made where the first fragments are loaded, so
    // that the kernels without streaming keep their order of operations.)
    Value hTile;
    auto hFragments = [&](int64_t first, int64_t count) {
      if (parts == 1) {
        if (!hTile) {
          int64_t slotBytes =
              kRowsPerTile * rowStride * (e.getIntOrFloatBitWidth() / 8);
          hTile = sharedByteAddress(
              b, loc, hsBase,
              arith::MulIOp::create(b, loc, slot, em.cst(slotBytes)));
        }
        return mma.ldMatrixPairs(
            hTile, lane,
            first ? Value(arith::AddIOp::create(b, loc, sliceColumn,
                                                em.cst(16 * first)))
                  : sliceColumn,
            rowStride, count);
      }
      SmallVector<Value> frags;
      for (int64_t part = 0; part < parts; ++part)
        for (int64_t kt = first; kt < first + count; ++kt)
          for (int64_t half = 0; half < 2; ++half)
            frags.push_back(mma.loadPair(
                hs, {slot, g, em.cst(part), column[2 * kt + half]}));
      return frags;
    };

    // foldedInput[gate * 2 + element]: the start value of a folded gate's
    // first accumulator (its carried input, or its bias alone), or null.
    SmallVector<Value> foldedInput(2 * mTiles * 2);
    for (size_t k = 0; k < gates.size(); ++k)
      for (int64_t j = 0; folded[k] && j < kElements; ++j)
        foldedInput[layout.rRow[k] * 2 + j] =
            layout.wxRow[k] >= 0 ? inputs[j * gw + layout.wxRow[k]]
                                 : inputBias[k];

    // The matmul: per m-tile and part two independent K chains (even and
    // odd k-tiles), summed at the end. acc[mt][chain][i]. Streamed, one
    // chain per m-tile and part: the m-tiles' chains already interleave
    // (below), and the second's accumulators were the registers LSTM 768's
    // training forward spilled over 16 CTAs.
    int64_t chains = kTiles > 1 && !streamed ? 2 * parts : parts;
    SmallVector<SmallVector<SmallVector<Value>>> acc(mTiles);
    auto startAccumulators = [&](int64_t mt) {
      acc[mt].assign(chains, SmallVector<Value>(4, em.cstF32(0.0)));
      // d0, d1: gate 2mt, elements 0, 1; d2, d3: gate 2mt + 1.
      for (int64_t i = 0; i < 4; ++i)
        if (Value start = foldedInput[(2 * mt + i / 2) * 2 + i % 2])
          acc[mt][0][i] = start;
    };
    SmallVector<Value> recurrentOf(2 * mTiles * 2); // [gate * 2 + element]
    auto sumChains = [&](int64_t mt) {
      for (int64_t i = 0; i < 4; ++i) {
        Value sum = acc[mt][0][i];
        for (int64_t c = 1; c < chains; ++c)
          sum = arith::AddFOp::create(b, loc, sum, acc[mt][c][i]);
        // d0, d1: gate 2mt, elements 0, 1; d2, d3: gate 2mt + 1.
        recurrentOf[(2 * mt + i / 2) * 2 + i % 2] = sum;
      }
    };
    auto chainOf = [&](int64_t part, int64_t kt) {
      return (chains / parts) * part + (chains > parts ? kt % 2 : 0);
    };
    if (!streamed) {
      // All fragments first, then m-tile by m-tile.
      SmallVector<Value> rFrag; // [mt][kt][4]
      for (int64_t mt = 0; mt < mTiles; ++mt)
        for (int64_t kt = 0; kt < kTiles; ++kt)
          llvm::append_range(rFrag, fragmentAt(mt, kt));
      SmallVector<Value> hFrag = hFragments(0, kTiles);
      for (int64_t mt = 0; mt < mTiles; ++mt) {
        startAccumulators(mt);
        for (int64_t part = 0; part < parts; ++part)
          for (int64_t kt = 0; kt < kTiles; ++kt) {
            ArrayRef<Value> a(&rFrag[(mt * kTiles + kt) * 4], 4);
            ArrayRef<Value> bf(&hFrag[(part * kTiles + kt) * 2], 2);
            int64_t chain = chainOf(part, kt);
            acc[mt][chain] = mma.mma(a, bf, acc[mt][chain]);
          }
        sumChains(mt);
      }
    } else {
      // Streamed (fragments in shared memory, or a non-portable cluster):
      // the registers are short: two k-tiles of h at a time, each
      // multiplied into every m-tile before the next two are loaded, so
      // that only their fragments are live (all of h's at once, with the
      // shared ones in flight, spilled: LSTM 768 over 16 CTAs, 384 threads,
      // 52 bytes at 168 registers).
      for (int64_t mt = 0; mt < mTiles; ++mt)
        startAccumulators(mt);
      for (int64_t first = 0; first < kTiles; first += 2) {
        int64_t count = std::min<int64_t>(2, kTiles - first);
        SmallVector<Value> hFrag = hFragments(first, count);
        for (int64_t kt = first; kt < first + count; ++kt)
          for (int64_t mt = 0; mt < mTiles; ++mt) {
            SmallVector<Value> a = fragmentAt(mt, kt);
            for (int64_t part = 0; part < parts; ++part) {
              ArrayRef<Value> bf(&hFrag[(part * count + kt - first) * 2], 2);
              int64_t chain = chainOf(part, kt);
              acc[mt][chain] = mma.mma(a, bf, acc[mt][chain]);
            }
          }
      }
      for (int64_t mt = 0; mt < mTiles; ++mt)
        sumChains(mt);
    }

    // Step t + 1's inputs out of the ring (complete and visible since the
    // previous step's barrier), carried to the next step: their
    // shared-memory latency hides behind this step's mma, and the folded
    // biases' adds stay off the next step's dependent chain.
    SmallVector<Value> nextInputs;
    if (readEarly)
      nextInputs = readInputs(arith::RemUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, t, em.cst(1)),
          em.cst(kWxRingSlots)));
    // LLVM would pull the widening and the bias add through the loop's phi
    // (the same operations feed it from the prologue), carrying the 16-bit
    // values and doing both at the top of the next step, on its chain: an
    // opaque copy keeps them in this step.
    for (Value &v : nextInputs)
      v = LLVM::InlineAsmOp::create(
              b, loc, f32, ValueRange{v}, "mov.b32 $0, $1;", "=f,f",
              /*has_side_effects=*/false, /*is_align_stack=*/false,
              LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
              ArrayAttr())
              .getResult(0);

    // With K slices: the other slices' partial sums meet slice 0's.
    if (kSlices > 1) {
      em.ifValid(arith::XOrIOp::create(b, loc, owner,
                                       arith::ConstantIntOp::create(
                                           b, loc, 1, 1)),
                 [&] {
                   for (auto [i, v] : llvm::enumerate(recurrentOf))
                     memref::StoreOp::create(
                         b, loc, v, partials,
                         ValueRange{slice, group, em.cst(i), lane});
                 });
      gpu::BarrierOp::create(b, loc);
    }

    // The previous step's staged rows: written before the barrier that
    // ended it.
    if (stager) {
      Value previousSlot = arith::SubIOp::create(b, loc, em.cst(1), slot);
      Value previousStep = arith::SubIOp::create(b, loc, t, em.cst(1));
      Value notFirst = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ugt, t, em.cst(0));
      stager->flush(previousSlot, previousStep, notFirst);
    }

    // Per element: gate values and the cell body; then every element's
    // stores. The stores come after all cell bodies because each direct
    // store sits behind a branch on its row's validity, and a cell body
    // emitted after that branch lands in another basic block, where ptxas
    // does not interleave it with the first element's dependent chain.
    // With K slices only slice 0 runs them; the others carry their states
    // along.
    auto cellStep = [&]() -> SmallVector<Value> {
      for (size_t i = 0; kSlices > 1 && i < recurrentOf.size(); ++i)
        recurrentOf[i] = addPartialSums(em, recurrentOf[i], partials, 1,
                                        kSlices, group, i, lane);
      SmallVector<Value> next;
      SmallVector<SmallVector<Value>> gateValuesOf, statesOf;
      for (int64_t j = 0; j < kElements; ++j) {
        SmallVector<Value> recurrent;
        for (size_t k = 0; k < gates.size(); ++k)
          recurrent.push_back(layout.rRow[k] >= 0
                                  ? recurrentOf[layout.rRow[k] * 2 + j]
                                  : Value());
        gateValuesOf.push_back(assembleGateValues(
            em, cell, layout,
            [&](size_t k) -> Value {
              if (layout.wxRow[k] < 0 || folded[k])
                return Value();
              return inputs[j * gw + layout.wxRow[k]];
            },
            recurrent, unfoldedBias, recurrentBias));
        statesOf.push_back(applyCellBody(
            em, cell, carried.slice(j * s, s), gateValuesOf.back()));
        llvm::append_range(next, statesOf.back());
      }
      for (int64_t j = 0; j < kElements; ++j) {
        ArrayRef<Value> states = statesOf[j], gateValues = gateValuesOf[j];
        if (stager) {
          // Every row is staged; the copy skips the rows past B.
          int64_t k = 0;
          for (Value v : states)
            stager->stage(k++, slot, pos.row[j], unitInCta, v);
          if (!training)
            continue;
          for (Value v : gateValues)
            stager->stage(k++, slot, pos.row[j], unitInCta, v);
          for (Value v : states)
            stager->stage(k++, slot, pos.row[j], unitInCta, v);
          continue;
        }
        em.ifValid(valid[j], [&] {
          for (auto [st, v] : llvm::enumerate(states))
            em.storeF32(v, arg("states"),
                        {em.cst(st), batch[j], t, head, unit});
          if (!training)
            return;
          for (auto [gv, v] : llvm::enumerate(gateValues))
            memref::StoreOp::create(
                b, loc, v, arg("saved_gates"),
                ValueRange{batch[j], t, em.cst(gv), head, unit});
          for (auto [st, v] : llvm::enumerate(states))
            memref::StoreOp::create(
                b, loc, v, arg("saved_states"),
                ValueRange{em.cst(st), batch[j], t, head, unit});
        });
      }
      return next;
    };
    SmallVector<Value> next;
    if (kSlices == 1) {
      next = cellStep();
    } else {
      SmallVector<Type> stateTypes(kElements * s, f32);
      auto ifOwner = scf::IfOp::create(b, loc, stateTypes, owner,
                                       /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPointToStart(ifOwner.thenBlock());
        scf::YieldOp::create(b, loc, cellStep());
        b.setInsertionPointToStart(ifOwner.elseBlock());
        scf::YieldOp::create(b, loc, carried.take_front(kElements * s));
      }
      llvm::append_range(next, ifOwner.getResults());
    }
    SmallVector<Value> hNext = {next[layout.recurrentState],
                                next[s + layout.recurrentState]};

    // Publish h_t for step t + 1. This thread's Wx copies of the steps read
    // during step t + 1 complete first, so that the publication's barrier
    // makes them visible to the threads that read them.
    Value nextSlot = arith::SubIOp::create(b, loc, em.cst(1), slot);
    Value epoch = arith::AddIOp::create(b, loc, t, em.cst(1));
    ring.wait(TileRing::kInFlight);
    publish(hNext, nextSlot, epoch);
    llvm::append_range(next, nextInputs);
    scf::YieldOp::create(b, loc, next);
  }

  // No copy may still be writing the ring when the CTA exits (those of the
  // clamped steps past the end).
  ring.wait(0);

  // The last step's staged rows (the exchange that ended it has a barrier).
  if (stager) {
    Value lastSlot = arith::RemUIOp::create(b, loc, lastStep, em.cst(2));
    stager->flush(lastSlot, lastStep,
                  arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                        steps, em.cst(0)));
  }

  // Final states.
  for (int64_t j = 0; j < kElements; ++j)
    em.ifValid(owner ? Value(arith::AndIOp::create(b, loc, owner, valid[j]))
                     : valid[j],
               [&] {
      for (int64_t st = 0; st < s; ++st)
        em.storeF32(timeLoop.getResult(j * s + st), arg("last"),
                    {em.cst(st), batch[j], head, unit});
    });
  gpu::ReturnOp::create(b, loc);
  return func;
}
