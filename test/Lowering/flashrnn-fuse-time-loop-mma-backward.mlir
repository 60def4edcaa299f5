// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop -flashrnn-cache-recurrent-weights -flashrnn-grid-sync | FileCheck %s --check-prefix=LOWERED

// The tensor-core backward of an LSTM head of 32 (bf16): 2 warps of 16 units,
// 64 threads. R^T's fragments are gathered before the time loop: 4 gates x
// 32 / 16 = 8 k-tiles x 4 registers, each a pair of R[k, j, i], R[k, j+1, i]
// (two scalar loads, packed). Per step: the adjoint of the thread's four
// elements, dg in shared memory in one bf16 part (the planner's default,
// flashrnn-plan-recurrent-parts.mlir; [2][8][4 x 32 + 8] bf16, 4352 B), one
// barrier, 8 k-tiles = 8 mma.sync m16n8k16 on fragments of dg from 4
// ldmatrix.x4, in four independent K chains (k-tile kt in chain kt mod 4:
// the first four start from zero). The gate gradients are staged
// (stagedStores): after dg 4 rows of dgates ([2][8][32 + 4] f32, 2304 B
// each) and 4 of dwx ([2][8][32 + 8] bf16, 1280 B each), 18688 B in all;
// every thread stages its elements' gradients, and after the adjoints the
// CTA writes the previous step's (t + 1) rows out as 16-byte runs.
// CHECK: entry = "lstm_backward", grid = ["ctas_per_head", "heads", "batch_tiles"], kind = "backward", ptx = "kernels.ptx", schedule = {batch_tile = 8 : i64, ctas_per_head = 1 : i64, grid_barrier = false, r_placement = "registers", shared_bytes = 18688 : i64, threads = 64 : i64
// CHECK-LABEL: gpu.func @lstm_backward(
// CHECK-SAME: known_block_size = array<i32: 64, 1, 1>
// CHECK-SAME: nvvm.minctasm = 1 : i32
// CHECK: memref.view {{.*}} to memref<2x8x136xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[DG0:.*]] = memref.view {{.*}}[%c4352][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x8x36xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-3: to memref<2x8x36xf32, #gpu.address_space<workgroup>>
// CHECK: %[[DWX0:.*]] = memref.view {{.*}}[%c13568][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x8x40xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-32: vector.from_elements {{.*}} : vector<2xbf16>
// A thread's two units are adjacent (16w + 2g, 16w + 2g + 1): the next step's
// saved values come as pairs, dstates and s0 as 4-byte bf16 pairs, the states
// of t - 1 (s0 at t = 0, by a select) and the 4 gate values as 8-byte f32
// pairs, for each of the thread's two batch rows.
// CHECK: scf.for
// CHECK-NOT: memref.load %arg0
// CHECK-COUNT-2: vector.load %arg4[{{.*}}] {alignment = 4 : i64} : memref<2x?x?x?x32xbf16>, vector<2xbf16>
// CHECK: vector.load %arg1[{{.*}}] {alignment = 4 : i64} : memref<2x?x?x32xbf16>, vector<2xbf16>
// CHECK: vector.load %arg3[{{.*}}] {alignment = 8 : i64} : memref<2x?x?x?x32xf32>, vector<2xf32>
// CHECK: arith.select {{.*}} : vector<2xf32>
// CHECK-COUNT-4: vector.load %arg2[{{.*}}] {alignment = 8 : i64} : memref<?x?x4x?x32xf32>, vector<2xf32>
// CHECK-NOT: memref.load %arg2
// The pair's gradients are staged as one store per gate value (f32 pairs,
// and bf16 pairs for dwx), and its dg as bf16 pairs.
// CHECK-COUNT-4: vector.store {{.*}}, %{{.*}}[{{.*}}] {alignment = 8 : i64} : memref<2x8x36xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK-COUNT-4: vector.store {{.*}} {alignment = 4 : i64} : memref<2x8x40xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK-NOT: memref.store {{.*}} : memref<?x?x4x?x32xf32>
// CHECK: arith.truncf {{.*}} : vector<2xf32> to vector<2xbf16>
// CHECK: vector.store {{.*}} {alignment = 4 : i64} : memref<2x8x136xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// The previous step's rows, after this step's adjoints, before the barrier.
// CHECK: vector.load %[[DG0]][{{.*}}] {alignment = 16 : i64} : memref<2x8x36xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: vector.store {{.*}} {alignment = 16 : i64} : memref<?x?x4x?x32xf32>, vector<4xf32>
// CHECK: vector.load %[[DWX0]][{{.*}}] {alignment = 16 : i64} : memref<2x8x40xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: vector.store {{.*}} {alignment = 16 : i64} : memref<?x?x4x?x32xbf16>, vector<8xbf16>
// CHECK: gpu.barrier
// dg's B fragments come by ldmatrix.x4, one per two k-tiles, not as 32-bit
// loads of the dg rows.
// CHECK-NOT: memref<2x8x136xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-COUNT-4: nvvm.ldmatrix {{.*}}num = 4 : i32{{.*}} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK-COUNT-4: nvvm.mma.sync A[{{.*}}]  B[{{.*}}]  C[%[[ZERO]], %[[ZERO]], %[[ZERO]], %[[ZERO]]]
// CHECK-NOT: C[%[[ZERO]]
// CHECK-COUNT-4: nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// The loop is unrolled by two (a matmul of at most 8 k-tiles per warp): the
// second step's 8, then the remainder loop of an odd T, rolled.
// CHECK: gpu.barrier
// CHECK-COUNT-8: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: scf.yield
// CHECK: } {flashrnn.time_loop}
// CHECK: scf.for
// CHECK-COUNT-8: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: } {flashrnn.time_loop}
// The last step's rows.
// CHECK: vector.load %[[DG0]]
// CHECK: gpu.return

// The cache pass leaves it alone (no load of R in the loop) and grid-sync has
// no exchange to lower: the one barrier per step stays (two in the loop
// unrolled by two, one in the remainder).
// LOWERED-LABEL: gpu.func @lstm_backward(
// LOWERED: scf.for
// LOWERED-NOT: memref.load %arg0
// LOWERED-COUNT-2: gpu.barrier
// LOWERED-NOT: gpu.barrier
// LOWERED: } {flashrnn.time_loop}
// LOWERED: scf.for
// LOWERED-COUNT-1: gpu.barrier
// LOWERED-NOT: gpu.barrier
// LOWERED: } {flashrnn.time_loop}
flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  %ig = flashrnn.sigmoid %i : f32
  %fg = flashrnn.sigmoid %f : f32
  %zg = math.tanh %z : f32
  %og = flashrnn.sigmoid %o : f32
  %fc = arith.mulf %fg, %c : f32
  %iz = arith.mulf %ig, %zg : f32
  %c1 = arith.addf %fc, %iz : f32
  %tc = math.tanh %c1 : f32
  %h1 = arith.mulf %og, %tc : f32
  flashrnn.yield %h1, %c1 : f32, f32
}
func.func @f(%wx: tensor<?x?x4x?x32xbf16>, %r: tensor<4x?x32x32xbf16>, %b: tensor<4x?x32xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x32xbf16>, tensor<4x?x32x32xbf16>, tensor<4x?x32xbf16>) -> (tensor<2x?x?x?x32xbf16>, tensor<2x?x?x32xbf16>)
  return
}
