// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true backward-dg-parts=2" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s --check-prefix=TWO

// The tensor-core backward of an LSTM head of 768, spread over 48 CTAs of
// 16 units (grid x), each 16 units over 8 warps that share the K dimension
// (24 of the 192 k-tiles each). Element c belongs to slice c mod 8: a
// thread loads the saved values of its slice's element (slices 4 .. 7 hold
// none and repeat element 3's, min(slice, 3)) before the loop, and each
// step carries them in: 8 state gradients and 8 saved values (dstates 2,
// states 2, gates 4). Per step: four scf.if, one per element, each running
// its adjoint on the carried values and storing its recurrent gate
// gradients (f32) into the global exchange buffer; then the next step's
// saved gates are loaded (the late prefetch: the full one at the top of the
// step is over the register budget at 768), before the CTAs meet at one
// grid barrier; every
// thread copies 24 quads of dg back into the shared rows (one bf16 part:
// rows of 4 x 768 + 8; a loop of 6 batches of 4, the 4 loads before their
// stores); each warp runs 24 k-tiles = 24 mma.sync; every slice leaves its
// 4 partial dh in the partial-sum buffer after dg (at 2 x 8 x 3080 x 2 B =
// 98560), and after one more barrier each element's sum is taken over all
// 8 slices. With two parts (backward-dg-parts=2) the rows are twice as
// long, every quad is stored as hi and lo, and the matmul is 48 mma.sync.
// CHECK-LABEL: gpu.func @lstm_backward(
// CHECK-SAME: ctasPerHead = 48, unitsPerCta = 16, batchTile = 8, threads = 256
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: gpu.block_id  x
// CHECK: memref.view {{.*}} to memref<2x8x3080xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.view %{{.*}}[%c98560][] : {{.*}} to memref<8x1x4x32xf32, #gpu.address_space<workgroup>>
// CHECK: arith.minui %{{.*}}, %c3 : index
// CHECK-COUNT-4: memref.load %{{.*}} : memref<?x?x4x?x768xf32>
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-NOT: memref<?x?x4x?x768xf32>
// CHECK: scf.if %{{.*}} -> (f32, f32) {
// CHECK-NOT: memref.load %{{.*}} : memref<?x?x4x?x768xf32>
// CHECK-COUNT-4: memref.store %{{.*}} : memref<2x?x?x4x768xf32>
// CHECK: } else {
// CHECK: scf.if %{{.*}} -> (f32, f32) {
// CHECK-COUNT-4: memref.store %{{.*}} : memref<2x?x?x4x768xf32>
// CHECK: scf.if %{{.*}} -> (f32, f32) {
// CHECK-COUNT-4: memref.store %{{.*}} : memref<2x?x?x4x768xf32>
// CHECK: scf.if %{{.*}} -> (f32, f32) {
// CHECK-COUNT-4: memref.store %{{.*}} : memref<2x?x?x4x768xf32>
// CHECK-NOT: memref<2x?x?x4x768xf32>
// CHECK-COUNT-4: memref.load %{{.*}} : memref<?x?x4x?x768xf32>
// CHECK-NEXT: gpu.barrier
// CHECK: memref.atomic_rmw addi
// CHECK: scf.while
// CHECK: gpu.barrier
// CHECK: scf.for %{{.*}} = %{{.*}} to %c6 step
// CHECK-COUNT-4: vector.load %{{.*}} {alignment = 16 : i64} : memref<2x?x?x4x768xf32>, vector<4xf32>
// CHECK-COUNT-4: vector.store %{{.*}} : memref<2x8x3080xbf16, #gpu.address_space<workgroup>>, vector<4xbf16>
// CHECK-NOT: vector.store %{{.*}} : memref<2x8x3080xbf16, #gpu.address_space<workgroup>>
// CHECK: gpu.barrier
// CHECK-COUNT-24: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK-COUNT-4: memref.store %{{.*}} : memref<8x1x4x32xf32, #gpu.address_space<workgroup>>
// CHECK-NEXT: gpu.barrier
// CHECK-COUNT-32: memref.load %{{.*}} : memref<8x1x4x32xf32, #gpu.address_space<workgroup>>
// CHECK: } {flashrnn.time_loop}
// TWO-LABEL: gpu.func @lstm_backward(
// TWO: memref.view {{.*}} to memref<2x8x6152xbf16, #gpu.address_space<workgroup>>
// TWO: memref.view %{{.*}}[%c196864][] : {{.*}} to memref<8x1x4x32xf32, #gpu.address_space<workgroup>>
// TWO: scf.for %{{.*}} = %{{.*}} to %c6 step
// TWO-COUNT-4: vector.load %{{.*}} {alignment = 16 : i64} : memref<2x?x?x4x768xf32>, vector<4xf32>
// TWO-COUNT-8: vector.store %{{.*}} : memref<2x8x6152xbf16, #gpu.address_space<workgroup>>, vector<4xbf16>
// TWO: gpu.barrier
// TWO-COUNT-48: nvvm.mma.sync
// TWO-NOT: nvvm.mma.sync
// TWO: } {flashrnn.time_loop}
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
func.func @lstm768(%wx: tensor<?x?x4x?x768xbf16>, %r: tensor<4x?x768x768xbf16>, %b: tensor<4x?x768xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x768xbf16>, tensor<4x?x768x768xbf16>, tensor<4x?x768xbf16>) -> (tensor<2x?x?x?x768xbf16>, tensor<2x?x?x768xbf16>)
  return
}
