// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop="reduction=sliced" | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop="reduction=serial" | FileCheck %s --check-prefix=SERIAL

// The sliced reduction of an LSTM head of 64: 256 threads = 4 slices x 64
// output elements (j, i), so 64 x 64 / 64 = 64 blocks per head; each slice
// sums every 4th (b, t) term, the element with i = 0 also db's 4 rows; the
// 4 x (4 + 4) x 64 f32 partial sums (8192 bytes) meet in shared memory
// after one barrier and the first slice stores dR and db.
// CHECK: dynamic_shared_bytes = 8192 : i64, entry = "lstm_backward_reduce", grid = [64, "heads", 1], kind = "backward_reduce"
// CHECK-LABEL: gpu.func @lstm_backward_reduce(
// CHECK: %[[SLICE:.*]] = arith.divui %thread_id_x, %c64
// CHECK: %[[TERMS:.*]] = arith.muli %dim, %dim_{{[0-9]+}} : index
// CHECK: scf.for %{{.*}} = %[[SLICE]] to %[[TERMS]] step %c4 iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK-COUNT-4: math.fma
// CHECK: scf.if %{{.*}} -> (f32, f32, f32, f32)
// CHECK: memref.view {{.*}} to memref<4x8x64xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-8: memref.store {{.*}} : memref<4x8x64xf32, #gpu.address_space<workgroup>>
// CHECK-NEXT: gpu.barrier
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: memref.store {{.*}} : memref<4x?x64x64xbf16>
// CHECK: memref.store {{.*}} : memref<4x?x64xbf16>
// CHECK: gpu.return

// Without the option: the serial kernel, 16 blocks of 256 per head, no
// shared memory.
// SERIAL: dynamic_shared_bytes = 0 : i64, entry = "lstm_backward_reduce", grid = [16, "heads", 1], kind = "backward_reduce"
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
