// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="mma=false" | FileCheck %s
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="chip=sm_80 mma=false" | FileCheck %s --check-prefix=SM80

// A head of 64 fits one CTA: 8 rows x 64 units = 512 threads; shared memory
// = h (2 x 8 x 64 x 4 B) + R (4 x 64 x 64 x 2 B) = 4096 + 32768.
// CHECK-LABEL: func.func @head_in_one_cta
// CHECK: flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 64, batchTile = 8, threads = 512, rPlacement = "smem", gridBarrier = false, sharedBytes = 36864>
// SM80-LABEL: func.func @head_in_one_cta
// SM80: #flashrnn.schedule<chip = "sm_80", ctasPerHead = 1
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @head_in_one_cta(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<2x?x?x?x64xbf16>, tensor<2x?x?x64xbf16>)
  return
}

// -----

// A head of 768: R is 4.5 MiB in bf16, so the head is split over 32 CTAs of
// 24 units (147 KiB of R + 48 KiB of h each, within sm_90's 227 KiB), with a
// grid barrier. sm_80 (163 KiB per block) needs 48 CTAs of 16 units.
// CHECK-LABEL: func.func @head_over_ctas
// CHECK: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 32, unitsPerCta = 24, batchTile = 8, threads = 192, rPlacement = "smem", gridBarrier = true, sharedBytes = 196608>
// SM80-LABEL: func.func @head_over_ctas
// SM80: #flashrnn.schedule<chip = "sm_80", ctasPerHead = 48, unitsPerCta = 16, batchTile = 8, threads = 128, rPlacement = "smem", gridBarrier = true
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  flashrnn.yield %i, %f : f32, f32
}
func.func @head_over_ctas(%wx: tensor<16x1024x4x1x768xbf16>, %r: tensor<4x1x768x768xbf16>, %b: tensor<4x1x768xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<16x1024x4x1x768xbf16>, tensor<4x1x768x768xbf16>, tensor<4x1x768xbf16>) -> (tensor<2x16x1024x1x768xbf16>, tensor<2x16x1x768xbf16>)
  return
}

// -----

// A head of 256 in one CTA would need 8 x 256 = 2048 threads: 2 CTAs of 128
// units (1024 threads), 16 KiB of h + 64 KiB of R each.
// CHECK-LABEL: func.func @thread_limit
// CHECK: #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 128, batchTile = 8, threads = 1024, rPlacement = "smem", gridBarrier = true, sharedBytes = 81920>
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}
func.func @thread_limit(%wx: tensor<?x?x1x?x256xf16>, %r: tensor<1x?x256x256xf16>, %b: tensor<1x?x256xf16>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x256xf16>, tensor<1x?x256x256xf16>, tensor<1x?x256xf16>) -> (tensor<1x?x?x?x256xf16>, tensor<1x?x?x256xf16>)
  return
}
