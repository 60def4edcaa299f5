// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan -verify-diagnostics
// RUN: not flashrnn-opt %s -flashrnn-plan="chip=sm_70" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not flashrnn-opt %s -flashrnn-plan="batch-tile=0" 2>&1 | FileCheck %s --check-prefix=TILE

// CHIP: error: flashrnn-plan: unknown chip 'sm_70'; known chips: sm_80, sm_86, sm_89, sm_90
// TILE: error: flashrnn-plan: batch-tile must be in [1, 1024], got 0

// One head of 2048 in f32: R alone is 64 MiB, more than the shared memory of
// the whole chip.
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @too_big(%wx: tensor<?x?x4x1x2048xf32>, %r: tensor<4x1x2048x2048xf32>, %b: tensor<4x1x2048xf32>) {
  // expected-error @+1 {{'flashrnn.sequence' op cannot be planned for sm_90 (forward): R of one head (4 x 2048 x 2048, 'f32') needs 64.0 MiB of shared memory, but 132 SMs x 227.0 KiB hold 29.3 MiB of which the exchange tiles take 16.5 MiB (over by 51.2 MiB)}}
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x1x2048xf32>, tensor<4x1x2048x2048xf32>, tensor<4x1x2048xf32>) -> (tensor<2x?x?x1x2048xf32>, tensor<2x?x1x2048xf32>)
  return
}

// -----

// A head dimension with no divisor that fits: 1031 is prime, so the head is
// either one CTA of 8 x 1031 threads or 1031 CTAs (more than the SMs).
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}
func.func @prime(%wx: tensor<?x?x1x?x1031xbf16>, %r: tensor<1x?x1031x1031xbf16>, %b: tensor<1x?x1031xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op cannot be planned for sm_90 (forward): no split of the head dimension 1031 into at most 132 CTAs gives a slice of R plus the exchange tile (64.4 KiB) within 227.0 KiB of shared memory and at most 1024 threads (8 batch rows per CTA)}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x1031xbf16>, tensor<1x?x1031x1031xbf16>, tensor<1x?x1031xbf16>) -> (tensor<1x?x?x?x1031xbf16>, tensor<1x?x?x1031xbf16>)
  return
}
