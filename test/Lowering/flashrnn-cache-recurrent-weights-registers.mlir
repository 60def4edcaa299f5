// RUN: flashrnn-opt %s -flashrnn-plan -flashrnn-fuse-time-loop -flashrnn-cache-recurrent-weights | FileCheck %s

// With R in registers the pass hoists the 32 fragment loads of R (and their
// casts to mma operands) above the time loop; none is left inside it, and no
// shared-memory copy of R is made.
// CHECK-LABEL: gpu.func @lstm_forward(
// CHECK-NOT: memref<4x64x64xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-32: vector.load %arg1[
// CHECK: scf.for
// CHECK-NOT: vector.load %arg1[
// CHECK: nvvm.mma.sync
// CHECK-NOT: vector.load %arg1[
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
func.func @lstm64(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<2x?x?x?x64xbf16>, tensor<2x?x?x64xbf16>)
  return
}
