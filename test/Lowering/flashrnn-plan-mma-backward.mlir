// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true" | FileCheck %s
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true chip=sm_80" | FileCheck %s --check-prefix=SM80
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true mma=false" | FileCheck %s --check-prefix=NOMMA
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true clusters=false" | FileCheck %s --check-prefix=GRID

// The tensor-core backward schedule: a bf16 LSTM head of 64 in one CTA of
// 2 x 64 threads (4 warps of 16 units), batch tile 8, R^T in registers.
// Shared memory: dg double-buffered, 8 rows of one part (recurrentParts =
// 1, flashrnn-plan-recurrent-parts.mlir) x 4 gates x 64 + 8 bf16 = 2 x 8 x
// 264 x 2 B = 8448. Then the stage of the step's gate gradients
// (stagedStores): 4 rows of dgates (f32, 2 x 8 x 68 x 4 B each) and 4 of
// dwx (bf16, 2 x 8 x 72 x 2 B each), 26624 B: 35072. On sm_80 the
// stage's registers (8 per row there) do not fit beside the estimate: none.
// Without mma the scalar schedule.
// CHECK-LABEL: func.func @lstm_bf16_64
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 64, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 35072, stagedStores = true, recurrentParts = 1>
// SM80-LABEL: func.func @lstm_bf16_64
// SM80: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_80", {{.*}} threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 8448, recurrentParts = 1>
// NOMMA-LABEL: func.func @lstm_bf16_64
// NOMMA: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}rPlacement = "smem"
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

// LSTM 96: R^T's fragments take 96 registers; the estimate without the
// prefetch fits 255 on sm_90 but not with sm_80's margin: there the head is
// split over two CTAs of 48 units and two K slices (192 threads), with a
// grid barrier, and partial sums after dg (2 x 3 x 4 x 32 x 4 B). On sm_90
// the head in one CTA, with the late prefetch, is within 20 registers of the
// budget, where one part of dg spilled: it keeps two (2 x 8 x (2 x 4 x 96 +
// 8) x 2 B of dg rows, recurrentParts not printed).
// CHECK-LABEL: func.func @lstm_bf16_96
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}threads = 192, rPlacement = "registers", gridBarrier = false, sharedBytes = 24832>
// SM80-LABEL: func.func @lstm_bf16_96
// SM80: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_80", ctasPerHead = 2, unitsPerCta = 48, batchTile = 8, threads = 192, rPlacement = "registers", gridBarrier = true, sharedBytes = 15616, recurrentParts = 1>
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @lstm_bf16_96(%wx: tensor<?x?x4x?x96xbf16>, %r: tensor<4x?x96x96xbf16>, %b: tensor<4x?x96xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x96xbf16>, tensor<4x?x96x96xbf16>, tensor<4x?x96xbf16>) -> (tensor<2x?x?x?x96xbf16>, tensor<2x?x?x96xbf16>)
  return
}

// -----

// f32 has no bf16/f16 mma: the scalar backward.
// CHECK-LABEL: func.func @lstm_f32_64
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}rPlacement = "smem"
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

// LSTM 768: the dg rows of the whole head (2 x 8 x (4 x 768 + 8) x 2 B)
// fit shared memory; the fragments (192 k-tiles) fit the registers only
// split over 48 CTAs of 16 units and 8 K slices (24 k-tiles, 256 threads),
// whose partial sums follow (8 x 1 x 4 x 32 x 4 B).
// On sm_80 (a larger margin) no split fits with every thread carrying the
// state gradients of all four of its elements; the same split fits with
// each carrying only those of the element its slice adjoins
// (flashrnn-fuse-time-loop-mma-backward-owned-only.mlir).
// CHECK-LABEL: func.func @lstm_bf16_768
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 48, unitsPerCta = 16, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 102656, recurrentParts = 1>
// SM80-LABEL: func.func @lstm_bf16_768
// SM80: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_80", ctasPerHead = 48, unitsPerCta = 16, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 102656, recurrentParts = 1>
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @lstm_bf16_768(%wx: tensor<?x?x4x?x768xbf16>, %r: tensor<4x?x768x768xbf16>, %b: tensor<4x?x768xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x768xbf16>, tensor<4x?x768x768xbf16>, tensor<4x?x768xbf16>) -> (tensor<2x?x?x?x768xbf16>, tensor<2x?x?x768xbf16>)
  return
}

// -----

// LSTM 128 (sm_90): two CTAs of 64 units and two K slices; two CTAs form one
// thread-block cluster, so the backward pulls dg through distributed shared
// memory (cluster = true, no grid barrier); with clusters=false the grid
// barrier. Split, the backward does not stage its stores.
// CHECK-LABEL: func.func @lstm_bf16_128
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = false, sharedBytes = 20736, cluster = true, recurrentParts = 1>
// GRID-LABEL: func.func @lstm_bf16_128
// GRID: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 20736, recurrentParts = 1>
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @lstm_bf16_128(%wx: tensor<?x?x4x?x128xbf16>, %r: tensor<4x?x128x128xbf16>, %b: tensor<4x?x128xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x128xbf16>, tensor<4x?x128x128xbf16>, tensor<4x?x128xbf16>) -> (tensor<2x?x?x?x128xbf16>, tensor<2x?x?x128xbf16>)
  return
}
