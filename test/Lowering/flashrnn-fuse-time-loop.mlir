// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="mma=false" -flashrnn-fuse-time-loop | FileCheck %s

// A GRU: the split candidate gets its input part and its recurrent part (plus
// the recurrent bias) separately; the body is cloned into the time loop; the
// states are the loop-carried values; R is still read inside the loop.
flashrnn.cell @gru gates(r: rec in bias, z: rec in bias, n: rec in bias split rbias)
    states(h = 0.0 recurrent) constants(one = 1.0)
    body(%h: f32, %r: f32, %z: f32, %n_x: f32, %n_r: f32, %one: f32) {
  %rg = flashrnn.sigmoid %r : f32
  %zg = flashrnn.sigmoid %z : f32
  %rn = arith.mulf %rg, %n_r : f32
  %pre = arith.addf %n_x, %rn : f32
  %n = math.tanh %pre : f32
  %omz = arith.subf %one, %zg : f32
  %a = arith.mulf %omz, %n : f32
  %zh = arith.mulf %zg, %h : f32
  %h1 = arith.addf %a, %zh : f32
  flashrnn.yield %h1 : f32
}
func.func @f(%wx: tensor<?x?x3x?x32xf16>, %r: tensor<3x?x32x32xf16>, %b: tensor<4x?x32xf16>) -> tensor<1x?x?x?x32xf16> {
  %s, %l = flashrnn.sequence @gru(%wx, %r, %b) : (tensor<?x?x3x?x32xf16>, tensor<3x?x32x32xf16>, tensor<4x?x32xf16>) -> (tensor<1x?x?x?x32xf16>, tensor<1x?x?x32xf16>)
  return %s : tensor<1x?x?x?x32xf16>
}

// CHECK: module attributes {gpu.container_module}
// CHECK: flashrnn.sequence @gru({{.*}}) {flashrnn.kernel = @flashrnn_kernels::@gru_forward, flashrnn.kernels = [{{.*}}], flashrnn.schedule = #flashrnn.schedule<
// CHECK: gpu.module @flashrnn_kernels [#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">]
// CHECK: gpu.func @gru_forward(%[[WX:.*]]: memref<?x?x3x?x32xf16> {flashrnn.arg = "wx"}, %[[R:.*]]: memref<3x?x32x32xf16> {flashrnn.arg = "r"}, %[[B:.*]]: memref<4x?x32xf16> {flashrnn.arg = "b"}, %[[S0:.*]]: memref<1x?x?x32xf16> {flashrnn.arg = "s0"}, %[[STATES:.*]]: memref<1x?x?x?x32xf16> {flashrnn.arg = "states"}, %[[LAST:.*]]: memref<1x?x?x32xf16> {flashrnn.arg = "last"}, %{{.*}}: memref<2x?x?x32xf32> {flashrnn.arg = "h_exchange"}, %{{.*}}: memref<?xi32> {flashrnn.arg = "sync"}, %{{.*}}: i32 {flashrnn.arg = "batch_begin"}) kernel
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// h lives in shared memory, double-buffered.
// CHECK: %[[SMEM:.*]] = gpu.dynamic_shared_memory
// CHECK: %[[HS:.*]] = memref.view %[[SMEM]]{{.*}} to memref<2x8x32xf32, #gpu.address_space<workgroup>>
// Four bias rows, loaded once, before the loop.
// CHECK-COUNT-4: memref.load %[[B]]
// CHECK: memref.load %[[S0]]
// CHECK-NEXT: %[[H0:.*]] = arith.extf
// CHECK: flashrnn.exchange %[[H0]] into %[[HS]]
// CHECK: scf.for %[[T:.*]] = {{.*}} iter_args(%[[H:.*]] = %[[H0]]) -> (f32) {
// The recurrent matmul: one pass over h feeds the three recurrent gates.
// CHECK:   scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32) {
// CHECK:     memref.load %[[HS]]
// CHECK-COUNT-3: memref.load %[[R]]
// CHECK:   }
// CHECK-COUNT-3: memref.load %[[WX]]
// The cloned body.
// CHECK:   flashrnn.sigmoid
// CHECK:   math.tanh
// CHECK:   memref.store {{.*}}, %[[STATES]]
// CHECK:   flashrnn.exchange
// CHECK:   scf.yield
// CHECK: } {flashrnn.time_loop}
// CHECK: memref.store {{.*}}, %[[LAST]]
// CHECK: gpu.return

// -----

// Without a schedule there is nothing to fuse.
// RUN: not flashrnn-opt %s -split-input-file -flashrnn-fuse-time-loop 2>&1 | FileCheck %s --check-prefix=NOPLAN
// NOPLAN: error: 'flashrnn.sequence' op has no schedule: run flashrnn-plan before flashrnn-fuse-time-loop
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<?x?x1x?x32xf32>, %r: tensor<1x?x32x32xf32>, %b: tensor<1x?x32xf32>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x32xf32>, tensor<1x?x32x32xf32>, tensor<1x?x32xf32>) -> (tensor<1x?x?x?x32xf32>, tensor<1x?x?x32xf32>)
  return
}
