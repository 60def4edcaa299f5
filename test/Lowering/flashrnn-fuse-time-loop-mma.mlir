// RUN: flashrnn-opt %s -flashrnn-plan -flashrnn-fuse-time-loop | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true training-h-parts=2" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s --check-prefix=TRAIN

// The tensor-core forward of an LSTM head of 64 (bf16): 8 warps of 8 units,
// h in shared memory as bf16 rows padded to 72, both of a thread's batch rows
// published by one exchange. Per step: R's fragments (2 m-tiles of two gates
// x 4 k-tiles x 4 registers = 32 pair loads, loop-invariant; the
// cache-recurrent-weights pass hoists them), 2 ldmatrix.x4 of h (each the B
// fragments of two k-tiles), 8 mma.sync. The input part of each gate (its Wx
// value widened, plus its bias) starts the gate's first accumulator: the
// first mma of each m-tile accumulates onto those sums, the odd k-tiles'
// chain onto zeros.
// CHECK-LABEL: gpu.func @lstm_forward(
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK-SAME: nvvm.minctasm = 1 : i32
// CHECK: memref.view {{.*}} to memref<2x8x1x72xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// Wx goes through a ring of 4 steps in shared memory after h
// ([slot][row][gate x unit], rows of 4 x 64 + 8 bf16), addressed from Wx's
// strided metadata: one 16-byte cp.async per thread and step (8 rows x 4
// gates x 8 pieces of 8 units = 256), the first 4 steps before the loop,
// each its own commit group, steps 0 and 1 complete before a barrier;
// then step 0's 8 inputs (2 rows x 4 gates, each plus its gate's bias: all
// four gates are folded) out of slot 0, before h_0's publication.
// CHECK: memref.view {{.*}}[%c2304{{.*}}][] : {{.*}} to memref<4x8x264xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.extract_strided_metadata %arg0 : memref<?x?x4x?x64xbf16>
// CHECK-COUNT-4: nvvm.cp.async.shared.global %{{[0-9]+}}, %{{[0-9]+}}, 16, cache = cg : !llvm.ptr<3>, !llvm.ptr<1>
// CHECK-NEXT: nvvm.cp.async.commit.group
// CHECK-NEXT: nvvm.cp.async.wait.group 2
// CHECK: gpu.barrier
// CHECK-COUNT-8: memref.load %view{{.*}}[%c0{{.*}}, %{{.*}}, %{{.*}}] : memref<4x8x264xbf16, #gpu.address_space<workgroup>>
// CHECK: flashrnn.exchange %{{[0-9]+}}, %{{[0-9]+}} into %{{.*}} epoch %{{.*}} {rows = 2 : i64} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// Loop-carried: the 4 states and the 8 inputs, which start the first
// accumulators. Per step: the copy of step t + 4; no global loads; R's
// fragments (loop-invariant), then h's; after the mma, step t + 1's
// inputs out of the ring, behind an opaque copy each.
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK: nvvm.cp.async.shared.global
// CHECK-NEXT: nvvm.cp.async.commit.group
// CHECK-NOT: llvm.load
// CHECK-COUNT-32: vector.load %arg1[{{.*}}] {alignment = 4 : i64} : memref<4x?x64x64xbf16>, vector<2xbf16>
// CHECK-NOT: memref<2x8x1x72xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK-COUNT-2: nvvm.ldmatrix %{{[0-9]+}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<row>, num = 4 : i32, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK-NOT: memref<2x8x1x72xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: nvvm.mma.sync A[{{.*}}]  B[{{.*}}]  C[%arg{{[0-9]+}}, %arg{{[0-9]+}}, %arg{{[0-9]+}}, %arg{{[0-9]+}}]
// CHECK: nvvm.mma.sync A[{{.*}}]  B[{{.*}}]  C[%[[ZERO]], %[[ZERO]], %[[ZERO]], %[[ZERO]]]
// CHECK-COUNT-6: nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK-NOT: nvvm.mma.sync
// CHECK-COUNT-8: memref.load %view{{.*}} : memref<4x8x264xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-8: llvm.inline_asm "mov.b32 $0, $1;", "=f,f"
// Step t + 2's copies complete before the publication's barrier; none is
// left in flight when the CTA exits.
// CHECK: nvvm.cp.async.wait.group 2
// CHECK-NEXT: flashrnn.exchange %{{[0-9]+}}, %{{[0-9]+}} into
// CHECK: } {flashrnn.time_loop}
// CHECK-NEXT: nvvm.cp.async.wait.group 0

// Training with two parts of h (training-h-parts=2; the planner's choice for
// cells with a max or an exp, flashrnn-fuse-time-loop-recurrent-parts.mlir
// has the one-part training forward): h is split into hi and lo parts (two
// bf16 rows of 68 per batch row; the exchange stores both parts of each of
// its two values), and twice the mma.sync.
// TRAIN-LABEL: gpu.func @lstm_forward_train(
// TRAIN: memref.view {{.*}} to memref<2x8x2x68xbf16, #gpu.address_space<workgroup>>
// TRAIN: memref.view {{.*}} to memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>
// The training forward reads each step's inputs in that step (no fold),
// copying step t + 3 (3 copies before the loop, step 0 complete before h_0's
// publication); only the states are loop-carried.
// TRAIN-COUNT-3: nvvm.cp.async.shared.global
// TRAIN-NEXT: nvvm.cp.async.commit.group
// TRAIN-NEXT: nvvm.cp.async.wait.group 2
// TRAIN: flashrnn.exchange %{{[0-9]+}}, %{{[0-9]+}} into %{{.*}} epoch %{{.*}} {parts = 2 : i64, rows = 2 : i64} : memref<2x4x4x68xbf16
// TRAIN: scf.for {{.*}} -> (f32, f32, f32, f32) {
// TRAIN: nvvm.cp.async.shared.global
// TRAIN-NEXT: nvvm.cp.async.commit.group
// TRAIN-COUNT-8: memref.load %view{{.*}} : memref<4x8x264xbf16, #gpu.address_space<workgroup>>
// TRAIN-NOT: nvvm.ldmatrix
// TRAIN-COUNT-16: nvvm.mma.sync
// TRAIN-NOT: nvvm.mma.sync
// The saved gate values leave through the stage (flashrnn-fuse-time-loop-mma-staged.mlir).
// TRAIN: vector.store {{.*}} : memref<?x?x4x?x64xf32>, vector<4xf32>
// TRAIN: } {flashrnn.time_loop}
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
func.func @lstm64(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<2x?x?x?x64xbf16>, tensor<2x?x?x64xbf16>)
  return
}
