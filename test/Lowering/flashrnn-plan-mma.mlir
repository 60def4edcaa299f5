// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan | FileCheck %s
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="mma=false" | FileCheck %s --check-prefix=NOMMA
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="batch-tile=4" | FileCheck %s --check-prefix=TILE4
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="clusters=false" | FileCheck %s --check-prefix=GRID
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="chip=sm_80" | FileCheck %s --check-prefix=SM80
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true" | FileCheck %s --check-prefix=TRAIN
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true staged-stores=false" | FileCheck %s --check-prefix=DIRECT
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="tagged-exchange=true" | FileCheck %s --check-prefix=TAG
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="cluster-exchange=barrier" | FileCheck %s --check-prefix=BARRIER

// The tensor-core schedule: a bf16 LSTM head of 64 in one CTA of 4 x 64
// threads (8 warps of 8 units), batch tile 8 (mma N), R in registers.
// Shared memory: h double-buffered, 8 rows of two parts of (64 + 4) bf16 =
// 2 x 8 x 2 x 68 x 2 B = 4352, then the Wx ring: 4 slots x 8 rows of
// 4 gates x 64 units padded by 8, bf16 = 4 x 8 x 264 x 2 B = 16896, 21248 in
// all. Without mma, or with another batch tile, the
// scalar schedule (R in shared memory). Planned for training too, the
// forward's per-step output rows get a stage at the end (stagedStores): the
// training forward's 2 states (bf16) and 4 gate values and 2 states (f32),
// each 2 slots x 8 rows padded by 16 B: 2 x 2304 + 6 x 4352 = 30720 B more.
// (The inference forward's 2 rows alone, fewer than kMinStagedStreams = 3,
// get none.) With staged-stores=false, no stage. LSTM's body is smooth: its
// training forward carries h in one part (recurrentParts = 1; the shared
// memory keeps room for two, which serves both kernels).
// CHECK-LABEL: func.func @lstm_bf16_64
// CHECK: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = false, sharedBytes = 21248>
// TRAIN-LABEL: func.func @lstm_bf16_64
// TRAIN: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = false, sharedBytes = 51968, stagedStores = true, recurrentParts = 1>
// DIRECT-LABEL: func.func @lstm_bf16_64
// DIRECT: flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = false, sharedBytes = 21248, recurrentParts = 1>
// NOMMA-LABEL: func.func @lstm_bf16_64
// NOMMA: rPlacement = "smem"
// TILE4-LABEL: func.func @lstm_bf16_64
// TILE4: batchTile = 4, threads = 256, rPlacement = "smem"
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @lstm_bf16_64(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<2x?x?x?x64xbf16>, tensor<2x?x?x64xbf16>)
  return
}

// -----

// f32 has no m16n8k16 mma (tf32 is not implemented): the scalar schedule.
// CHECK-LABEL: func.func @lstm_f32_64
// CHECK: rPlacement = "smem"
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @lstm_f32_64(%wx: tensor<?x?x4x?x64xf32>, %r: tensor<4x?x64x64xf32>, %b: tensor<4x?x64xf32>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xf32>, tensor<4x?x64x64xf32>, tensor<4x?x64xf32>) -> (tensor<2x?x?x?x64xf32>, tensor<2x?x?x64xf32>)
  return
}

// -----

// DH = 40 is not a multiple of the mma K (16): the scalar schedule.
// CHECK-LABEL: func.func @lstm_bf16_40
// CHECK: rPlacement = "smem"
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @lstm_bf16_40(%wx: tensor<?x?x4x?x40xbf16>, %r: tensor<4x?x40x40xbf16>, %b: tensor<4x?x40xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x40xbf16>, tensor<4x?x40x40xbf16>, tensor<4x?x40xbf16>) -> (tensor<2x?x?x?x40xbf16>, tensor<2x?x?x40xbf16>)
  return
}

// -----

// An LSTM head of 128: in one CTA, 512 threads leave 128 registers per
// thread; R's fragments alone take 2 x 8 x 4 = 64, and with the
// accumulators, h fragments and per-element values the estimate is 188 (in
// training). Two K slices (1024 threads) leave 64. So the head is split over
// two CTAs of 64 units (256 threads, estimate 188 of 255): on sm_90 one
// thread-block cluster (no grid barrier); with clusters=false, and on sm_80,
// a grid barrier. In the cluster h crosses by st.async and an mbarrier per
// slot (asyncExchange), or with cluster-exchange=barrier around a cluster
// barrier.
// CHECK-LABEL: func.func @lstm_bf16_128
// CHECK: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = false, sharedBytes = 25344, cluster = true, asyncExchange = true>
// BARRIER-LABEL: func.func @lstm_bf16_128
// BARRIER: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = false, sharedBytes = 25344, cluster = true>
// GRID-LABEL: func.func @lstm_bf16_128
// GRID: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 25344>
// SM80-LABEL: func.func @lstm_bf16_128
// SM80: #flashrnn.schedule<chip = "sm_80", ctasPerHead = 2, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 25344>
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @lstm_bf16_128(%wx: tensor<?x?x4x?x128xbf16>, %r: tensor<4x?x128x128xbf16>, %b: tensor<4x?x128xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x128xbf16>, tensor<4x?x128x128xbf16>, tensor<4x?x128xbf16>) -> (tensor<2x?x?x?x128xbf16>, tensor<2x?x?x128xbf16>)
  return
}

// -----

// An Elman head of 128 (one gate, f16): one m-tile, 32 fragment registers,
// estimate 102 of 128: tensor cores, 512 threads, 2 x 8 x 2 x 132 x 2 B of h
// and the Wx ring, 4 x 8 x (128 + 8) x 2 B.
// CHECK-LABEL: func.func @elman_f16_128
// CHECK: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 128, batchTile = 8, threads = 512, rPlacement = "registers", gridBarrier = false, sharedBytes = 17152>
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @elman_f16_128(%wx: tensor<?x?x1x?x128xf16>, %r: tensor<1x?x128x128xf16>, %b: tensor<1x?x128xf16>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x128xf16>, tensor<1x?x128x128xf16>, tensor<1x?x128xf16>) -> (tensor<1x?x?x?x128xf16>, tensor<1x?x?x128xf16>)
  return
}

// -----

// An LSTM head of 768 (R 4.5 MiB), inference: no split into fewer than 48
// CTAs fits the registers. 48 CTAs of 16 units, each group of 8 units over
// warps that share K: 3 would fit (16 k-tiles each: 128 fragment registers,
// estimate 236), but over the grid barrier a CTA gets at least 256 threads
// where they fit (kMinGridThreads): 4 warps of 12 k-tiles. Shared memory: h
// (2 x 8 x 2 x 772 x 2 B, sized for both kernels), the partial sums (4
// slices x 2 groups x 8 accumulators x 32 lanes x 4 B) and the Wx ring (4 x
// 8 x (4 x 16 + 8) x 2 B).
// CHECK-LABEL: func.func @lstm_bf16_768
// With tagged-exchange=true the inference forward exchanges h as tagged
// words instead (one bf16 term per value; the poll's 6 runs per thread fit).
// CHECK: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 48, unitsPerCta = 16, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 62208>
// TAG-LABEL: func.func @lstm_bf16_768
// TAG: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 48, unitsPerCta = 16, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 62208, taggedExchange = true>
// More than 8 CTAs: no cluster, even where clusters are allowed.
// CHECK-NOT: cluster = true
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @lstm_bf16_768(%wx: tensor<?x?x4x?x768xbf16>, %r: tensor<4x?x768x768xbf16>, %b: tensor<4x?x768xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x768xbf16>, tensor<4x?x768x768xbf16>, tensor<4x?x768xbf16>) -> (tensor<2x?x?x?x768xbf16>, tensor<2x?x?x768xbf16>)
  return
}
