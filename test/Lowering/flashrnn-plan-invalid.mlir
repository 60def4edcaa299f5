// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan -verify-diagnostics
// RUN: not flashrnn-opt %s -flashrnn-plan="chip=sm_70" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not flashrnn-opt %s -flashrnn-plan="batch-tile=0" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not flashrnn-opt %s -flashrnn-plan="training=true training-h-parts=3" 2>&1 | FileCheck %s --check-prefix=PARTS
// RUN: not flashrnn-opt %s -flashrnn-plan="training=true backward-dg-parts=-1" 2>&1 | FileCheck %s --check-prefix=DGPARTS
// RUN: not flashrnn-opt %s -flashrnn-plan="training=true backward-row-split=4" 2>&1 | FileCheck %s --check-prefix=ROWSPLIT

// CHIP: error: flashrnn-plan: unknown chip 'sm_70'; known chips: sm_80, sm_86, sm_89, sm_90
// TILE: error: flashrnn-plan: batch-tile must be in [1, 1024], got 0
// PARTS: error: flashrnn-plan: training-h-parts and backward-dg-parts must be 0 (by cell), 1 or 2, got 3 and 0
// DGPARTS: error: flashrnn-plan: training-h-parts and backward-dg-parts must be 0 (by cell), 1 or 2, got 0 and -1
// ROWSPLIT: error: flashrnn-plan: backward-row-split must be 0 (the planner's choice), 1 or 2, got 4

// One head of 8192 in f32: even with R left in global memory, the h exchange
// tile of one CTA (8 rows of the whole head, f32, double-buffered) is more
// than a block's shared memory.
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @too_big(%wx: tensor<?x?x4x1x8192xf32>, %r: tensor<4x1x8192x8192xf32>, %b: tensor<4x1x8192xf32>) {
  // expected-error @+1 {{'flashrnn.sequence' op cannot be planned for sm_90 (forward): the exchange tile of one CTA (2 x 8 batch row(s) x 1 value(s) x 8192 x 4 B = 512.0 KiB) exceeds the 227.0 KiB of shared memory of a block, even with R in global memory (over by 285.0 KiB)}}
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x1x8192xf32>, tensor<4x1x8192x8192xf32>, tensor<4x1x8192xf32>) -> (tensor<2x?x?x1x8192xf32>, tensor<2x?x1x8192xf32>)
  return
}

// -----

// A head dimension with no divisor that fits: 1031 is prime, so the head is
// either one CTA of 8 x 1031 threads or 1031 CTAs (more than the SMs).
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}
func.func @prime(%wx: tensor<?x?x1x?x1031xbf16>, %r: tensor<1x?x1031x1031xbf16>, %b: tensor<1x?x1031xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op cannot be planned for sm_90 (forward): no split of the head dimension 1031 into at most 132 CTAs gives CTAs of at most 1024 threads (8 batch rows per CTA) whose exchange tile (64.4 KiB) fits 227.0 KiB of shared memory}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x1031xbf16>, tensor<1x?x1031x1031xbf16>, tensor<1x?x1031xbf16>) -> (tensor<1x?x?x?x1031xbf16>, tensor<1x?x?x1031xbf16>)
  return
}
