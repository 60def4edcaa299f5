// RUN: flashrnn-opt %s -flashrnn-plan="training=true forward-k-slices=2" | FileCheck %s --check-prefix=FW2
// RUN: flashrnn-opt %s -flashrnn-plan="training=true backward-k-slices=2" | FileCheck %s --check-prefix=BW2
// RUN: not flashrnn-opt %s -flashrnn-plan="forward-k-slices=8" 2>&1 | FileCheck %s --check-prefix=FW8
// RUN: not flashrnn-opt %s -flashrnn-plan="training=true backward-k-slices=32" 2>&1 | FileCheck %s --check-prefix=BW32
// RUN: not flashrnn-opt %s -flashrnn-plan="backward-k-slices=0" 2>&1 | FileCheck %s --check-prefix=ZERO

// The fewest K slices of the tensor-core kernels (an experiment's knob: more
// warps per CTA, each with a share of K). LSTM 64, bf16: by default the
// forward is one CTA of 8 warps (256 threads, flashrnn-plan-mma.mlir) and the
// backward one of 4 (128 threads); with two slices each group of units is
// served by two warps: 512 and 256 threads, the partial sums after h (and
// after the Wx ring in the forward), the training forward's stage (30720 B,
// flashrnn-plan-mma.mlir: with one part of h its copy's registers fit 128
// per thread), none in the backward (only unsplit ones stage; its one-part
// dg rows, 8448 B, then the partial sums, 2 x 4 x 4 x 32 x 4 B).
// FW2: flashrnn.backward_schedule = #flashrnn.schedule<{{[^>]*}}threads = 128,{{[^>]*}}stagedStores = true, recurrentParts = 1>
// FW2-SAME: flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 64, batchTile = 8, threads = 512, rPlacement = "registers", gridBarrier = false, sharedBytes = 68352, stagedStores = true, recurrentParts = 1>
// BW2: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = false, sharedBytes = 12544, recurrentParts = 1>
// BW2-SAME: flashrnn.schedule = #flashrnn.schedule<{{[^>]*}}threads = 256,
// K is DH = 64 inputs, 4 k-tiles: no split has 8 slices in the forward; the
// backward's K (4 gates x 64) has 16 k-tiles, none 32. An error, not the
// scalar kernel.
// FW8: error: 'flashrnn.sequence' op cannot be planned for sm_90 (forward): no tensor-core split of the head dimension 64 into CTAs with at least 8 K slices fits the thread, register and shared-memory limits (forward-k-slices=8)
// BW32: error: 'flashrnn.sequence' op cannot be planned for sm_90 (backward): no tensor-core split of the head dimension 64 into CTAs with at least 32 K slices fits the thread, register and shared-memory limits (backward-k-slices=32)
// ZERO: error: flashrnn-plan: forward-k-slices and backward-k-slices must be >= 1, got 1 and 0
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  %si = flashrnn.sigmoid %i : f32
  %sf = flashrnn.sigmoid %f : f32
  %tz = math.tanh %z : f32
  %so = flashrnn.sigmoid %o : f32
  %a = arith.mulf %sf, %c : f32
  %b = arith.mulf %si, %tz : f32
  %cn = arith.addf %a, %b : f32
  %tc = math.tanh %cn : f32
  %hn = arith.mulf %so, %tc : f32
  flashrnn.yield %hn, %cn : f32, f32
}
func.func @lstm_bf16_64(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<2x?x?x?x64xbf16>, tensor<2x?x?x64xbf16>)
  return
}
