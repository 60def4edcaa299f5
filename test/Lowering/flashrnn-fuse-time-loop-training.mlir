// RUN: flashrnn-opt %s -flashrnn-plan=training=true -flashrnn-derive-backward -flashrnn-fuse-time-loop=reduction=serial | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan=training=true -flashrnn-derive-backward -flashrnn-fuse-time-loop -flashrnn-cache-recurrent-weights | FileCheck %s --check-prefix=CACHE
// RUN: not flashrnn-opt %s -flashrnn-plan=training=true -flashrnn-fuse-time-loop 2>&1 | FileCheck %s --check-prefix=NOADJ

// In training mode a sequence gets four kernels: the inference forward, the
// forward that saves what the backward needs, the fused backward and the
// dR/db reduction.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<?x?x1x?x32xf32>, %r: tensor<1x?x32x32xf32>, %b: tensor<1x?x32xf32>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x32xf32>, tensor<1x?x32x32xf32>, tensor<1x?x32xf32>) -> (tensor<1x?x?x?x32xf32>, tensor<1x?x?x32xf32>)
  return
}

// NOADJ: error: 'flashrnn.sequence' op is planned for training but cell '@elman' has no adjoint: run flashrnn-derive-backward before flashrnn-fuse-time-loop

// CHECK: flashrnn.sequence @elman
// CHECK-SAME: flashrnn.backward_schedule = #flashrnn.schedule<
// CHECK-SAME: entry = "elman_forward", grid = ["ctas_per_head", "heads", "batch_tiles"], kind = "forward"
// CHECK-SAME: entry = "elman_forward_train", grid = ["ctas_per_head", "heads", "batch_tiles"], kind = "forward_train"
// CHECK-SAME: entry = "elman_backward", grid = ["ctas_per_head", "heads", "batch_tiles"], kind = "backward"
// CHECK-SAME: entry = "elman_backward_reduce", grid = [4, "heads", 1], kind = "backward_reduce"

// The training forward saves the gate values and the f32 states each step.
// CHECK: gpu.func @elman_forward_train({{.*}}%[[SG:[^:]*]]: memref<?x?x1x?x32xf32> {flashrnn.arg = "saved_gates"}, %[[SS:[^:]*]]: memref<1x?x?x?x32xf32> {flashrnn.arg = "saved_states"})
// CHECK: scf.for
// CHECK: math.tanh
// CHECK: memref.store {{.*}}, %[[SG]]
// CHECK: memref.store {{.*}}, %[[SS]]
// CHECK: } {flashrnn.time_loop}

// The backward: a reverse time loop (t = T - 1 - it) that recomputes the
// adjoint from the saved values (tanh' = 1 - tanh^2), writes dWx and the gate
// gradients, exchanges the recurrent part's gradient once per step and forms
// dh = R^T dg with R's unit as its column index.
// CHECK: gpu.func @elman_backward(%[[R:[^:]*]]: memref<1x?x32x32xf32> {flashrnn.arg = "r"}
// CHECK-SAME: flashrnn.r_unit_dim = 3
// CHECK: %[[STEPS:.*]] = memref.dim %{{.*}}, %c2
// CHECK: scf.for %[[IT:.*]] = %{{.*}} to %[[STEPS]]
// CHECK: %[[LASTT:.*]] = arith.subi %[[STEPS]], %c1
// CHECK: %[[T:.*]] = arith.subi %[[LASTT]], %[[IT]]
// CHECK: scf.if
// CHECK: } else {
// CHECK: math.tanh
// CHECK: arith.subf
// CHECK: %[[DG:.*]] = arith.mulf
// CHECK: flashrnn.exchange %[[DG]] into
// CHECK: scf.for %[[J:.*]] = {{.*}} iter_args
// CHECK: memref.load %[[R]][%c0{{.*}}, %{{.*}}, %[[J]], %{{.*}}]
// CHECK: } {flashrnn.time_loop}

// The (serial) reduction: dR[j, i] += dg[b, t, j] * h_{t-1}[b, i], h_{-1} = s0.
// CHECK: gpu.func @elman_backward_reduce({{.*}}"s0"{{.*}}"saved_states"{{.*}}"dgates"{{.*}}"dr"{{.*}}"db"
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: math.fma
// CHECK: math.fma
// CHECK: memref.store

// In the backward the cached copy of R is indexed [k][j][unit]: no load of R
// is left in its time loop either.
// CACHE: gpu.func @elman_backward(%[[R:[^:]*]]: memref
// CACHE: %[[COPY:.*]] = memref.view {{.*}} to memref<1x32x32xf32, #gpu.address_space<workgroup>>
// CACHE: memref.load %[[R]]
// CACHE: gpu.barrier
// CACHE: scf.for {{.*}} iter_args
// CACHE-NOT: memref.load %[[R]]
// CACHE: memref.load %[[COPY]]
// CACHE-NOT: memref.load %[[R]]
// CACHE: } {flashrnn.time_loop}
