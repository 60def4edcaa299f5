// RUN: flashrnn-opt %s -flashrnn-plan="training=true backward-k-slices=2" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s

// The K-sliced tensor-core backward prefetches the saved values of the
// elements its slice adjoins, a step ahead, at the top of the step. LSTM
// head of 64 in one CTA with two K slices (256 threads, 8 of the 16
// k-tiles per warp): element c belongs to slice c mod 2, so a thread owns
// elements slice and slice + 2 (min(.., 3) picks each one's row and unit).
// Before the loop both owned elements' values of the last step are loaded;
// the loop carries 8 state gradients and 2 x 8 saved values (dstates 2,
// states 2, gates 4); each step first loads the next step's values of both
// (4 saved gates each), then runs the four adjoints in their slices with no
// loads of their own, then the barrier and the matmul.
// CHECK-LABEL: gpu.func @lstm_backward(
// CHECK-SAME: ctasPerHead = 1, unitsPerCta = 64, batchTile = 8, threads = 256
// CHECK: arith.minui %{{.*}}, %c3 : index
// CHECK: arith.minui %{{.*}}, %c3{{.*}} : index
// CHECK-COUNT-8: memref.load %{{.*}} : memref<?x?x4x?x64xf32>
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-COUNT-8: memref.load %{{.*}} : memref<?x?x4x?x64xf32>
// CHECK-NOT: memref.load %{{.*}} : memref<?x?x4x?x64xf32>
// CHECK-COUNT-4: memref.store %{{.*}} : memref<?x?x4x?x64xf32>
// CHECK-NOT: memref.load %{{.*}} : memref<?x?x4x?x64xf32>
// CHECK: gpu.barrier
// CHECK: nvvm.mma.sync
// CHECK: } {flashrnn.time_loop}
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
func.func @lstm64x(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<2x?x?x?x64xbf16>, tensor<2x?x?x64xbf16>)
  return
}
