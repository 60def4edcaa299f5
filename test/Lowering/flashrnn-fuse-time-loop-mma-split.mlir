// RUN: flashrnn-opt %s -flashrnn-plan -flashrnn-fuse-time-loop | FileCheck %s

// The tensor-core forward of an LSTM head of 768, spread over 48 CTAs of 16
// units (grid x), each group of 8 units over 4 warps that share the K
// dimension (12 of its 48 k-tiles each; 3 would fit the registers, but a
// head over the grid barrier gets at least 256 threads, flashrnn-plan-mma.mlir).
// Per step a warp runs 2 m-tiles x 12 k-tiles = 24 mma.sync; slices 1 to 3
// leave their 8 accumulators in the
// partial-sum buffer after h ([slice][group][accumulator][lane] f32), one
// barrier, and slice 0 adds them, runs the cell and publishes h (the
// exchange's mask); the others carry their states unchanged.
// CHECK-LABEL: gpu.func @lstm_forward(
// CHECK-SAME: ctasPerHead = 48, unitsPerCta = 16
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: gpu.block_id  x
// CHECK: %[[OWNER:.*]] = arith.cmpi eq
// CHECK: memref.view {{.*}} to memref<2x8x1x776xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<2x4x2x776xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.view %{{.*}}[%c24832][] : {{.*}} to memref<4x2x8x32xf32, #gpu.address_space<workgroup>>
// CHECK: flashrnn.exchange %{{.*}}, %{{.*}} into %{{.*}} epoch %{{.*}} if %[[OWNER]] {rows = 2 : i64}
// CHECK: scf.for
// CHECK-COUNT-96: vector.load %arg1[{{.*}}] {alignment = 4 : i64} : memref<4x?x768x768xbf16>, vector<2xbf16>
// CHECK-NOT: memref<4x?x768x768xbf16>, vector<2xbf16>
// CHECK-COUNT-24: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: %[[OTHER:.*]] = arith.xori %[[OWNER]], %true
// CHECK: scf.if %[[OTHER]] {
// CHECK-COUNT-8: memref.store %{{.*}} : memref<4x2x8x32xf32, #gpu.address_space<workgroup>>
// CHECK: gpu.barrier
// CHECK: scf.if %[[OWNER]] -> (f32, f32, f32, f32) {
// CHECK-COUNT-24: memref.load %{{.*}} : memref<4x2x8x32xf32, #gpu.address_space<workgroup>>
// CHECK-NOT: memref.load %{{.*}} : memref<4x2x8x32xf32, #gpu.address_space<workgroup>>
// CHECK: } else {
// CHECK-NEXT: scf.yield %arg10, %arg11, %arg12, %arg13 : f32, f32, f32, f32
// CHECK: flashrnn.exchange %{{.*}}, %{{.*}} into %{{.*}} epoch %{{.*}} if %[[OWNER]] {rows = 2 : i64}
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
func.func @lstm768(%wx: tensor<?x?x4x?x768xbf16>, %r: tensor<4x?x768x768xbf16>, %b: tensor<4x?x768xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x768xbf16>, tensor<4x?x768x768xbf16>, tensor<4x?x768xbf16>) -> (tensor<2x?x?x?x768xbf16>, tensor<2x?x?x768xbf16>)
  return
}
