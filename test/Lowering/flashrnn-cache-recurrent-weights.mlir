// RUN: flashrnn-opt %s -flashrnn-plan="mma=false" -flashrnn-fuse-time-loop -flashrnn-cache-recurrent-weights | FileCheck %s

// R is loaded once, before the time loop, into shared memory (after h's
// double buffer: 2 x 8 x 32 x 4 B = 2048 B), laid out [gate][input][unit];
// inside the loop every read of R is a read of that copy.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// CHECK: gpu.func @elman_forward(%{{.*}}: memref<?x?x1x?x32xbf16> {flashrnn.arg = "wx"}, %[[R:[^:]*]]: memref<1x?x32x32xbf16> {flashrnn.arg = "r"}
// CHECK: %[[C2048:.*]] = arith.constant 2048 : index
// CHECK: %[[CACHE:.*]] = memref.view %{{.*}}[%[[C2048]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<1x32x32xbf16, #gpu.address_space<workgroup>>
// The cooperative copy, then a barrier before anyone reads it.
// CHECK: scf.for
// CHECK:   %[[W:.*]] = memref.load %[[R]]
// CHECK:   memref.store %[[W]], %[[CACHE]]
// CHECK: gpu.barrier
// No load of R is left inside the time loop.
// CHECK: scf.for {{.*}} iter_args
// CHECK-NOT: memref.load %[[R]]
// CHECK: memref.load %[[CACHE]]
// CHECK-NOT: memref.load %[[R]]
// CHECK: } {flashrnn.time_loop}
