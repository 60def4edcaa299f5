// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -verify-diagnostics | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop -flashrnn-cache-recurrent-weights 2>/dev/null | FileCheck %s --check-prefix=CACHE

// One LSTM head of 2048 in bf16 (TARGETS.md item 2): R is 32 MiB, more than
// the shared memory of all 132 SMs, so it stays in global memory and is read
// every step, with a warning. Forward: 8 rows x 2048 units of f32 h,
// double-buffered, is 128 KiB per CTA; at most 512 threads per CTA (128
// registers each), so 32 CTAs of 64 units. Backward: 4 gate gradients per
// element make the tile 512 KiB at 8 rows, so 2 rows, and 8 CTAs of 256 units.
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 8, unitsPerCta = 256, batchTile = 2, threads = 512, rPlacement = "global", gridBarrier = true, sharedBytes = 131072>
// CHECK-SAME: flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 32, unitsPerCta = 64, batchTile = 8, threads = 512, rPlacement = "global", gridBarrier = true, sharedBytes = 131072>

// The cache pass leaves R's loads in the time loop; the kernel asks ptxas for
// one CTA per SM (128 registers per thread).
// CACHE-LABEL: gpu.func @lstm_forward(
// CACHE-SAME: nvvm.minctasm = 1 : i32
// CACHE-NOT: memref<4x{{[0-9]+}}x64xbf16, #gpu.address_space<workgroup>>
// CACHE: scf.for
// CACHE: memref.load %arg1[
// CACHE: } {flashrnn.time_loop}
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @lstm2048(%wx: tensor<?x?x4x1x2048xbf16>, %r: tensor<4x1x2048x2048xbf16>, %b: tensor<4x1x2048xbf16>) {
  // expected-warning @+2 {{R of one head (4 x 2048 x 2048, 'bf16', 32.0 MiB) does not fit in the shared memory of sm_90 (132 SMs x 227.0 KiB); the forward kernel reads it from global memory every step (correct, but far slower than R on chip)}}
  // expected-warning @+1 {{R of one head (4 x 2048 x 2048, 'bf16', 32.0 MiB) does not fit in the shared memory of sm_90 (132 SMs x 227.0 KiB); the backward kernel reads it from global memory every step (correct, but far slower than R on chip)}}
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x1x2048xbf16>, tensor<4x1x2048x2048xbf16>, tensor<4x1x2048xbf16>) -> (tensor<2x?x?x1x2048xbf16>, tensor<2x?x1x2048xbf16>)
  return
}
