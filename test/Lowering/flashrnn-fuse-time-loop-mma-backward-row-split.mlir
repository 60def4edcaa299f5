// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true backward-row-split=1" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s --check-prefix=ONE

// The tensor-core backward of an Elman head of 64 with two warps per group of
// 16 units (rowSplit = 2, the planner's choice for a matmul of 4 k-tiles):
// 256 threads. Warps w and w + 4 hold the same R^T fragments and run the same
// 4 mma per step; the upper four (warp >= 4) adjoin batch row 2q + 1 of each
// lane, the lower four row 2q, each for the lane's two adjacent units. So a
// thread selects its row once, loads one pair of each saved value per step
// (dstates, s0 and the saved state, selected at t = 0, the gate value), stages
// one pair of dgates and dwx and publishes one pair of dg, and keeps the two
// accumulator values of its row. With one warp per group (ONE) a thread loads
// the pairs of both rows.
// CHECK-LABEL: gpu.func @elman_backward(
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: %[[WARP:.*]] = arith.divui %thread_id_x, %c32
// CHECK: %[[UPPER:.*]] = arith.cmpi uge, %[[WARP]], %c4
// CHECK-COUNT-3: arith.select %[[UPPER]]
// CHECK: scf.for
// CHECK: vector.load %arg4[{{.*}}] {alignment = 4 : i64} : memref<1x?x?x?x64xbf16>, vector<2xbf16>
// CHECK: vector.load %arg1[{{.*}}] {alignment = 4 : i64} : memref<1x?x?x64xbf16>, vector<2xbf16>
// CHECK: vector.load %arg3[{{.*}}] {alignment = 8 : i64} : memref<1x?x?x?x64xf32>, vector<2xf32>
// CHECK: arith.select {{.*}} : vector<2xf32>
// CHECK: vector.load %arg2[{{.*}}] {alignment = 8 : i64} : memref<?x?x1x?x64xf32>, vector<2xf32>
// CHECK-NOT: vector.load %arg{{[1-4]}}[
// CHECK: vector.store {{.*}} {alignment = 8 : i64} : memref<2x8x68xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK: vector.store {{.*}} {alignment = 4 : i64} : memref<2x8x72xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK: vector.store {{.*}} {alignment = 4 : i64} : memref<2x8x72xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK: gpu.barrier
// CHECK-COUNT-4: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK-COUNT-2: arith.select %[[UPPER]], {{.*}} : f32
// A matmul of 4 k-tiles: the loop is unrolled by two (the second step's
// loads and mma), and an odd T's last step runs in a rolled remainder loop.
// CHECK: gpu.barrier
// CHECK-COUNT-4: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: } {flashrnn.time_loop}
// CHECK: scf.for
// CHECK-COUNT-4: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: } {flashrnn.time_loop}
// ONE-LABEL: gpu.func @elman_backward(
// ONE-SAME: known_block_size = array<i32: 128, 1, 1>
// ONE: scf.for
// ONE-COUNT-2: vector.load %arg2[{{.*}}] {alignment = 8 : i64} : memref<?x?x1x?x64xf32>, vector<2xf32>
// ONE: } {flashrnn.time_loop}
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @elman64(%wx: tensor<?x?x1x?x64xbf16>, %r: tensor<1x?x64x64xbf16>, %b: tensor<1x?x64xbf16>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x64xbf16>, tensor<1x?x64x64xbf16>, tensor<1x?x64xbf16>) -> (tensor<1x?x?x?x64xbf16>, tensor<1x?x?x64xbf16>)
  return
}
