// RUN: not flashrnn-opt %s -split-input-file -flashrnn-fuse-time-loop 2>&1 | FileCheck %s
// RUN: not flashrnn-opt %s -split-input-file -flashrnn-fuse-time-loop -flashrnn-cache-recurrent-weights 2>/dev/null | FileCheck %s --check-prefix=SHARED
// (The first split fails, as the first RUN checks: hence "not" here too.)

// R's fragments in shared memory are k-tiles of a warp's K slice: a
// schedule that keeps more there than a slice has is refused with what it
// asked for and what there is, not a crash in the kernel builder.
// CHECK: error: 'flashrnn.sequence' op has sharedRTiles = 3 but its forward's K slices have 2 k-tile(s) each (head dimension 32, 1 slice(s))
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @too_many(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, sharedRTiles = 3>} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

// One of the two k-tiles in shared memory: before the time loop each thread
// stores its fragments of k-tile 1 as one 16-byte vector into its place of
// [warp][tile][m-tile][lane] (after h and the Wx ring); in the loop it loads
// them back from there, 16 bytes, while k-tile 0's fragments are loads of R
// hoisted above the loop (cache-recurrent-weights). The matmul is streamed:
// one K chain, so the two mma.sync of the step chain their accumulators.
// SHARED-LABEL: gpu.func @elman_forward
// SHARED: %[[RS:.*]] = memref.view %{{.*}} : memref<?xi8, #gpu.address_space<workgroup>> to memref<4x1x1x32x4xi32, #gpu.address_space<workgroup>>
// SHARED: vector.from_elements {{.*}} : vector<4xi32>
// SHARED: vector.store %{{.*}}, %[[RS]][%{{.*}}] {alignment = 16 : i64} : memref<4x1x1x32x4xi32, #gpu.address_space<workgroup>>, vector<4xi32>
// SHARED: vector.load %arg1
// SHARED: scf.for
// SHARED-NOT: vector.load %arg1
// SHARED: nvvm.ldmatrix
// SHARED: %[[D0:.*]] = nvvm.mma.sync
// SHARED: vector.load %[[RS]][%{{.*}}] {alignment = 16 : i64} : memref<4x1x1x32x4xi32, #gpu.address_space<workgroup>>, vector<4xi32>
// SHARED: nvvm.mma.sync {{.*}} C[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}]
// SHARED: } {flashrnn.time_loop}
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @one_shared(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 16384, sharedRTiles = 1>} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}
