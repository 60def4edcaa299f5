// RUN: flashrnn-opt %s -flashrnn-plan="training=true max-shared-bytes=12288 mma=false" -flashrnn-derive-backward -flashrnn-fuse-time-loop -flashrnn-grid-sync | FileCheck %s

// The LSTM backward exchanges the gradients of its four recurrent gate parts
// each step: with 12 KiB of shared memory per block the head of 32 is split
// over CTAs, so the four values go through the global exchange buffer
// [2, B, NH, 4, DH] around one grid barrier, and come back into the shared
// [2, rows, 4, DH] buffer.
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

// CHECK-NOT: flashrnn.exchange
// CHECK: gpu.func @lstm_backward({{.*}}%[[HX:[^:]*]]: memref<2x?x?x4x32xf32> {flashrnn.arg = "h_exchange"}, %[[SYNC:[^:]*]]: memref<?xi32> {flashrnn.arg = "sync"}
// CHECK-SAME: gridBarrier = true
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[HX]][%{{.*}}, %{{.*}}, %{{.*}}, %c0{{.*}}, %{{.*}}]
// CHECK: memref.store %{{.*}}, %[[HX]][%{{.*}}, %{{.*}}, %{{.*}}, %c1{{.*}}, %{{.*}}]
// CHECK: memref.store %{{.*}}, %[[HX]][%{{.*}}, %{{.*}}, %{{.*}}, %c2{{.*}}, %{{.*}}]
// CHECK: memref.store %{{.*}}, %[[HX]][%{{.*}}, %{{.*}}, %{{.*}}, %c3{{.*}}, %{{.*}}]
// CHECK: memref.atomic_rmw addi %{{.*}}, %[[SYNC]]
// CHECK: scf.while
// CHECK: memref.load %[[HX]]
// CHECK: memref.store {{.*}} : memref<2x{{[0-9]+}}x4x32xf32, #gpu.address_space<workgroup>>
// CHECK: } {flashrnn.time_loop}
