// RUN: flashrnn-opt %s -flashrnn-plan | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true" | FileCheck %s --check-prefix=TRAIN
// RUN: flashrnn-opt %s -flashrnn-plan | flashrnn-opt | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="batch-variants=false" | FileCheck %s --check-prefix=NONE
// RUN: flashrnn-opt %s -flashrnn-plan="max-cluster-ctas=8" | FileCheck %s --check-prefix=NONE
// RUN: flashrnn-opt %s -flashrnn-plan="chip=sm_80" | FileCheck %s --check-prefix=NONE

// Batch variants. LSTM 768 runs over a grid barrier of 48 CTAs per head
// (R in registers; faster at B = 16 than the cluster, whose 13 shared
// k-tiles read 156 KiB per CTA every step). A cooperative launch on 132 SMs
// holds floor(132 / 48) = 2 (head, batch tile) pairs; a wave of 16-CTA
// clusters holds 8. So from 3 pairs (B = 17 to 24 for one head) the grid
// schedule needs a second launch where the cluster needs none: the planner
// adds the cluster as a batch variant from 3 pairs, the same schedule
// forward-shared-r-tiles=13 forces, in inference and training. LSTM 1280
// (128 CTAs per head: one pair per wave, but no 16 CTAs hold its R)
// and LSTM 640 (already a cluster) get none; nor does anything with
// batch-variants=false, without non-portable clusters or before sm_90.
// The attribute prints and parses back (the second RUN line).
// CHECK-LABEL: func.func @lstm_bf16_768
// CHECK: flashrnn.batch_variants = [#flashrnn.batch_variant<minHeadTiles = 3, schedule = <chip = "sm_90", ctasPerHead = 16, unitsPerCta = 48, batchTile = 8, threads = 384, rPlacement = "registers", gridBarrier = false, sharedBytes = 209664, cluster = true, asyncExchange = true, sharedRTiles = 13>>]
// CHECK-SAME: flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 48, unitsPerCta = 16, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true, sharedBytes = 62208>
// CHECK-LABEL: func.func @lstm_bf16_1280
// CHECK-NOT: batch_variants
// CHECK: flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 128,
// CHECK-LABEL: func.func @lstm_bf16_640
// CHECK-NOT: batch_variants
// CHECK: flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 16, {{.*}}cluster = true
// TRAIN-LABEL: func.func @lstm_bf16_768
// TRAIN: flashrnn.backward_schedule
// TRAIN-SAME: flashrnn.batch_variants = [#flashrnn.batch_variant<minHeadTiles = 3, schedule = <chip = "sm_90", ctasPerHead = 16, unitsPerCta = 48, batchTile = 8, threads = 384, rPlacement = "registers", gridBarrier = false, sharedBytes = 209664, cluster = true, recurrentParts = 1, asyncExchange = true, sharedRTiles = 13>>]
// TRAIN-LABEL: func.func @lstm_bf16_640
// TRAIN-NOT: batch_variants
// TRAIN: return
// NONE-NOT: batch_variant
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
func.func @lstm_bf16_768(%wx: tensor<?x?x4x?x768xbf16>, %r: tensor<4x?x768x768xbf16>, %b: tensor<4x?x768xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x768xbf16>, tensor<4x?x768x768xbf16>, tensor<4x?x768xbf16>) -> (tensor<2x?x?x?x768xbf16>, tensor<2x?x?x768xbf16>)
  return
}
func.func @lstm_bf16_1280(%wx: tensor<?x?x4x?x1280xbf16>, %r: tensor<4x?x1280x1280xbf16>, %b: tensor<4x?x1280xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x1280xbf16>, tensor<4x?x1280x1280xbf16>, tensor<4x?x1280xbf16>) -> (tensor<2x?x?x?x1280xbf16>, tensor<2x?x?x1280xbf16>)
  return
}
func.func @lstm_bf16_640(%wx: tensor<?x?x4x?x640xbf16>, %r: tensor<4x?x640x640xbf16>, %b: tensor<4x?x640xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x640xbf16>, tensor<4x?x640x640xbf16>, tensor<4x?x640xbf16>) -> (tensor<2x?x?x?x640xbf16>, tensor<2x?x?x640xbf16>)
  return
}
