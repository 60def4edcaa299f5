// RUN: flashrnn-opt %s -flashrnn-plan -flashrnn-fuse-time-loop | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s --check-prefix=TRAIN

// The tensor-core forward of an LSTM head of 64 (bf16): 8 warps of 8 units,
// h in shared memory as bf16 rows padded to 72, both of a thread's batch rows
// published by one exchange. Per step: R's fragments (2 m-tiles of two gates
// x 4 k-tiles x 4 registers = 32 pair loads, loop-invariant; the
// cache-recurrent-weights pass hoists them), 2 ldmatrix.x4 of h (each the B
// fragments of two k-tiles), 8 mma.sync. The input part of each gate (its Wx
// word widened, plus its bias) starts the gate's first accumulator: the
// first mma of each m-tile accumulates onto those sums, the odd k-tiles'
// chain onto zeros.
// CHECK-LABEL: gpu.func @lstm_forward(
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK-SAME: nvvm.minctasm = 1 : i32
// CHECK: memref.view {{.*}} to memref<2x8x1x72xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// Wx is addressed from one global pointer per batch row (from its strided
// metadata), plus the step's and the gate's offsets.
// CHECK: memref.extract_strided_metadata %arg0 : memref<?x?x4x?x64xbf16>
// CHECK-COUNT-2: llvm.inttoptr %{{[0-9]+}} : i64 to !llvm.ptr<1>
// CHECK: flashrnn.exchange %{{[0-9]+}}, %{{[0-9]+}} into %{{.*}} epoch %{{.*}} {rows = 2 : i64} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// Wx of steps 0 and 1 (two steps ahead: the register estimate fits) as 8
// aligned 32-bit words each (the unit and its neighbour), carried into the
// loop as i32 after the 4 states.
// CHECK-COUNT-16: llvm.load %{{[0-9]+}} {alignment = 4 : i64} : !llvm.ptr<1> -> i32
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32)
// CHECK-COUNT-8: llvm.load %{{[0-9]+}} {alignment = 4 : i64} : !llvm.ptr<1> -> i32
// CHECK-COUNT-32: vector.load %arg1[{{.*}}] {alignment = 4 : i64} : memref<4x?x64x64xbf16>, vector<2xbf16>
// CHECK-NOT: memref<2x8x1x72xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK-COUNT-2: nvvm.ldmatrix %{{[0-9]+}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<row>, num = 4 : i32, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK-NOT: memref<2x8x1x72xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK-COUNT-8: arith.addf %{{[0-9]+}}, %{{[0-9]+}} : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: nvvm.mma.sync A[{{.*}}]  B[{{.*}}]  C[%{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}]
// CHECK: nvvm.mma.sync A[{{.*}}]  B[{{.*}}]  C[%[[ZERO]], %[[ZERO]], %[[ZERO]], %[[ZERO]]]
// CHECK-COUNT-6: nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK-NOT: nvvm.mma.sync
// CHECK: flashrnn.exchange %{{[0-9]+}}, %{{[0-9]+}} into
// CHECK: } {flashrnn.time_loop}

// Training: h is split into hi and lo parts (two bf16 rows of 68 per batch
// row; the exchange stores both parts of each of its two values), and twice
// the mma.sync.
// TRAIN-LABEL: gpu.func @lstm_forward_train(
// TRAIN: memref.view {{.*}} to memref<2x8x2x68xbf16, #gpu.address_space<workgroup>>
// TRAIN: memref.view {{.*}} to memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>
// TRAIN: flashrnn.exchange %{{[0-9]+}}, %{{[0-9]+}} into %{{.*}} epoch %{{.*}} {parts = 2 : i64, rows = 2 : i64} : memref<2x4x4x68xbf16
// TRAIN-NOT: llvm.inttoptr {{.*}} to !llvm.ptr<1>
// TRAIN: scf.for
// TRAIN-COUNT-8: vector.load %arg0[{{.*}}] {alignment = 4 : i64} : memref<?x?x4x?x64xbf16>, vector<2xbf16>
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
