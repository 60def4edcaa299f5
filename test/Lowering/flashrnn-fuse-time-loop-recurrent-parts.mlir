// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true training-h-parts=2 backward-dg-parts=2" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s --check-prefix=TWO

// An LSTM head of 64 (bf16) whose body is smooth: the planner gives the
// training kernels one part (recurrentParts = 1). The training forward then
// keeps h as the inference forward does (one bf16 row of 64 + 8 per batch
// row, published without a lo part) and runs its matmul: 2 ldmatrix.x4 of h
// and 8 mma.sync per step, not 16 of two parts' 32-bit loads. The backward
// keeps dg in one part (rows of 4 x 64 + 8 bf16): 8 ldmatrix.x4 and 16
// mma.sync per step. With two parts (forced) the rows are 2 x 4 x 64 + 8
// long and the matmul twice as long.
// CHECK-LABEL: gpu.func @lstm_forward_train(
// CHECK: memref.view {{.*}} to memref<2x8x1x72xbf16, #gpu.address_space<workgroup>>
// CHECK: flashrnn.exchange %{{[0-9]+}}, %{{[0-9]+}} into %{{.*}} epoch %{{.*}} {rows = 2 : i64} : memref<2x4x2x72xbf16
// CHECK: scf.for
// CHECK-COUNT-2: nvvm.ldmatrix
// CHECK-NOT: nvvm.ldmatrix
// CHECK-COUNT-8: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: } {flashrnn.time_loop}
// CHECK-LABEL: gpu.func @lstm_backward(
// CHECK: memref.view {{.*}} to memref<2x8x264xbf16, #gpu.address_space<workgroup>>
// CHECK: scf.for
// One store of dg (hi) per recurrent gate and pair of elements (two
// adjacent units), no lo.
// CHECK-COUNT-8: vector.store {{.*}} : memref<2x8x264xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK-NOT: store {{.*}} : memref<2x8x264xbf16, #gpu.address_space<workgroup>>
// CHECK: gpu.barrier
// CHECK-COUNT-8: nvvm.ldmatrix
// CHECK-COUNT-16: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: } {flashrnn.time_loop}
// TWO-LABEL: gpu.func @lstm_forward_train(
// TWO: memref.view {{.*}} to memref<2x8x2x68xbf16, #gpu.address_space<workgroup>>
// TWO: scf.for
// TWO-NOT: nvvm.ldmatrix
// TWO-COUNT-16: nvvm.mma.sync
// TWO-NOT: nvvm.mma.sync
// TWO: } {flashrnn.time_loop}
// TWO-LABEL: gpu.func @lstm_backward(
// TWO: memref.view {{.*}} to memref<2x8x520xbf16, #gpu.address_space<workgroup>>
// TWO: scf.for
// TWO-COUNT-16: vector.store {{.*}} : memref<2x8x520xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// TWO-NOT: store {{.*}} : memref<2x8x520xbf16, #gpu.address_space<workgroup>>
// TWO: gpu.barrier
// TWO-COUNT-8: nvvm.ldmatrix
// TWO-COUNT-16: nvvm.mma.sync
// TWO-COUNT-8: nvvm.ldmatrix
// TWO-COUNT-16: nvvm.mma.sync
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
func.func @lstm64(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<2x?x?x?x64xbf16>, tensor<2x?x?x64xbf16>)
  return
}

