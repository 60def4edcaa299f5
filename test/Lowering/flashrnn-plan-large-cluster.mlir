// RUN: flashrnn-opt %s -flashrnn-plan | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true" | FileCheck %s --check-prefix=TRAIN
// RUN: flashrnn-opt %s -flashrnn-plan="max-cluster-ctas=8" | FileCheck %s --check-prefix=GRID
// RUN: flashrnn-opt %s -flashrnn-plan="clusters=false" | FileCheck %s --check-prefix=GRID
// RUN: flashrnn-opt %s -flashrnn-plan="chip=sm_80" | FileCheck %s --check-prefix=SM80
// RUN: flashrnn-opt %s -flashrnn-plan="forward-shared-r-tiles=13" | FileCheck %s --check-prefix=FORCED

// Heads that R in registers alone spreads over more than 8 CTAs (a grid
// barrier) run on sm_90 as one non-portable cluster of 16 CTAs where R fits
// registers and shared memory together and at most 96 KiB per CTA comes out
// of shared memory per step. LSTM 640: 16 CTAs of 40 units, 2 K slices
// (4 x 40 x 2 = 320 threads, 168 registers each); of a slice's 20 k-tiles the
// streamed estimate (8 per register k-tile + 80) keeps 11 in registers, so
// 9 go to shared memory: 320 x 9 x 2 m-tiles x 16 B = 92160 bytes, after h
// (2 x 8 x 648 x 2 = 20736), the slices' partial sums (10240) and the Wx
// ring (10752): 133888. LSTM 768 would need 13 shared k-tiles (156 KiB): it
// keeps the grid barrier over 48 CTAs (measured faster at B = 16), unless the
// count is forced. With max-cluster-ctas=8, clusters=false or on sm_80: the
// grid barrier (40 CTAs for 640).
// CHECK-LABEL: func.func @lstm_bf16_640
// CHECK: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 16, unitsPerCta = 40, batchTile = 8, threads = 320, rPlacement = "registers", gridBarrier = false, sharedBytes = 133888, cluster = true, asyncExchange = true, sharedRTiles = 9>
// CHECK-LABEL: func.func @lstm_bf16_768
// CHECK: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 48, unitsPerCta = 16, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 62208>
// TRAIN-LABEL: func.func @lstm_bf16_640
// TRAIN: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 16, unitsPerCta = 40, batchTile = 8, threads = 320, rPlacement = "registers", gridBarrier = false, sharedBytes = 133888, cluster = true, recurrentParts = 1, asyncExchange = true, sharedRTiles = 9>
// GRID-LABEL: func.func @lstm_bf16_640
// GRID: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 40, unitsPerCta = 16, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 54016>
// SM80-LABEL: func.func @lstm_bf16_640
// SM80: #flashrnn.schedule<chip = "sm_80", ctasPerHead = 40, unitsPerCta = 16, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 54016>
// FORCED-LABEL: func.func @lstm_bf16_640
// FORCED: sharedBytes = 174848, cluster = true, asyncExchange = true, sharedRTiles = 13>
// FORCED-LABEL: func.func @lstm_bf16_768
// FORCED: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 16, unitsPerCta = 48, batchTile = 8, threads = 384, rPlacement = "registers", gridBarrier = false, sharedBytes = 209664, cluster = true, asyncExchange = true, sharedRTiles = 13>
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0) body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  %0 = flashrnn.sigmoid %i : f32
  %1 = flashrnn.sigmoid %f : f32
  %2 = math.tanh %z : f32
  %3 = flashrnn.sigmoid %o : f32
  %4 = arith.mulf %1, %c : f32
  %5 = arith.mulf %0, %2 : f32
  %6 = arith.addf %4, %5 : f32
  %7 = math.tanh %6 : f32
  %8 = arith.mulf %3, %7 : f32
  flashrnn.yield %8, %6 : f32, f32
}
func.func @lstm_bf16_640(%wx: tensor<?x?x4x?x640xbf16>, %r: tensor<4x?x640x640xbf16>, %b: tensor<4x?x640xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x640xbf16>, tensor<4x?x640x640xbf16>, tensor<4x?x640xbf16>) -> (tensor<2x?x?x?x640xbf16>, tensor<2x?x?x640xbf16>)
  return
}
func.func @lstm_bf16_768(%wx: tensor<?x?x4x?x768xbf16>, %r: tensor<4x?x768x768xbf16>, %b: tensor<4x?x768xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x768xbf16>, tensor<4x?x768x768xbf16>, tensor<4x?x768xbf16>) -> (tensor<2x?x?x?x768xbf16>, tensor<2x?x?x768xbf16>)
  return
}
