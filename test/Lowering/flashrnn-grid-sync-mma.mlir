// RUN: flashrnn-opt %s -flashrnn-plan -flashrnn-fuse-time-loop -flashrnn-grid-sync | FileCheck %s

// The tensor-core forward keeps the head in one CTA: each exchange becomes
// the thread's two h values rounded to bf16 and stored into the shared h
// rows, then one block barrier; no atomics, no global exchange.
// CHECK-LABEL: gpu.func @lstm_forward(
// CHECK-NOT: flashrnn.exchange
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: memref.store %{{.*}} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: memref.store %{{.*}} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// CHECK-NEXT: gpu.barrier
// CHECK: scf.for
// CHECK: nvvm.mma.sync
// CHECK: memref.store %{{.*}} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.store %{{.*}} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// CHECK-NEXT: gpu.barrier
// CHECK-NOT: memref.atomic_rmw
// CHECK: } {flashrnn.time_loop}
// CHECK-NOT: memref.atomic_rmw
// CHECK: gpu.return
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
