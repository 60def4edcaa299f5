// RUN: flashrnn-opt %s -split-input-file -verify-diagnostics -flashrnn-fuse-time-loop | FileCheck %s

// A sequence with batch variants gets one forward kernel per schedule, the
// variant's named after its threshold, and the variant's launch description
// carries it as min_head_tiles (the runtime compares it with NH x ceil(B /
// batch_tile)). Each kernel keeps its own schedule, which the later passes
// read from the gpu.func. A variant that exchanges h by st.async needs PTX
// ISA 8.1 for the whole module, though the sequence's own schedule is a
// grid barrier.
// CHECK: flashrnn.kernels = [{
// CHECK-SAME: cooperative = true, dynamic_shared_bytes = 16384 : i64, entry = "elman_forward", grid = ["ctas_per_head", "heads", "batch_tiles"], kind = "forward", ptx
// CHECK-SAME: cooperative = false, dynamic_shared_bytes = 16384 : i64, entry = "elman_forward_from3tiles", grid = ["ctas_per_head", "heads", "batch_tiles"], kind = "forward", min_head_tiles = 3 : i64, ptx
// CHECK-SAME: }}]
// CHECK: gpu.module @flashrnn_kernels [#nvvm.target<O = 3, chip = "sm_90", features = "+ptx81">]
// CHECK: gpu.func @elman_forward(
// CHECK-SAME: flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = true, sharedBytes = 16384>
// CHECK: gpu.func @elman_forward_from3tiles(
// CHECK-SAME: flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, cluster = true, asyncExchange = true>
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @variants(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = true, sharedBytes = 16384>, flashrnn.batch_variants = [#flashrnn.batch_variant<minHeadTiles = 3, schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, cluster = true, asyncExchange = true>>]} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
// Thresholds out of order, the same one twice, another chip, a variant whose
// shared k-tiles its K slices do not have, or an attribute of another kind:
// errors, not kernels built from a schedule the runtime would misread.
func.func @out_of_order(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{has batch variants out of order: minHeadTiles 3 after 5 (expected increasing, from 2)}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = true, sharedBytes = 16384>, flashrnn.batch_variants = [#flashrnn.batch_variant<minHeadTiles = 5, schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, cluster = true, asyncExchange = true>>, #flashrnn.batch_variant<minHeadTiles = 3, schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, cluster = true, asyncExchange = true>>]} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @same(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{has batch variants out of order: minHeadTiles 3 after 3}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = true, sharedBytes = 16384>, flashrnn.batch_variants = [#flashrnn.batch_variant<minHeadTiles = 3, schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, cluster = true, asyncExchange = true>>, #flashrnn.batch_variant<minHeadTiles = 3, schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, cluster = true, asyncExchange = true>>]} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @chip(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{has a batch variant for "sm_80" but its schedule is for "sm_90"}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = true, sharedBytes = 16384>, flashrnn.batch_variants = [#flashrnn.batch_variant<minHeadTiles = 3, schedule = #flashrnn.schedule<chip = "sm_80", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, cluster = true, asyncExchange = true>>]} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @tiles(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{has sharedRTiles = 3 but its forward's K slices have 2 k-tile(s) each (head dimension 32, 1 slice(s))}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = true, sharedBytes = 16384>, flashrnn.batch_variants = [#flashrnn.batch_variant<minHeadTiles = 3, schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, cluster = true, asyncExchange = true, sharedRTiles = 3>>]} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @kind(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{has a flashrnn.batch_variants attribute that is not an array of #flashrnn.batch_variant}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = true, sharedBytes = 16384>, flashrnn.batch_variants = [3 : i64]} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @notarray(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{has a flashrnn.batch_variants attribute that is not an array of #flashrnn.batch_variant}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = true, sharedBytes = 16384>, flashrnn.batch_variants = #flashrnn.batch_variant<minHeadTiles = 3, schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, cluster = true, asyncExchange = true>>} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}
