// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s
// RUN: not flashrnn-opt %s -split-input-file -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop="reduction=mma" 2>&1 | FileCheck %s --check-prefix=NOTF32
// RUN: not flashrnn-opt %s -split-input-file -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop="reduction=columns" 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// The reduction on tensor cores (the default for bf16/f16) for an LSTM head
// of 32: rows = 4 gate values x 32 units = 128, two 64-row tiles, one
// 64-column tile; 16 slices of steps (every batch row) per tile: 32 blocks
// per head of 128 threads; two 32 x 72-word chunks (tf32 bits) and a flag in
// shared memory (18436 B). It waits for the backward's progress, so the
// description says the runtime may run it beside the backward. dgates and
// saved_states are viewed with B and T flattened; per 32-term chunk 4
// k-steps x 8 n-tiles of m16n8k8 tf32 mma.sync; the partial tile goes to the
// workspace (red.add), and the last CTA of the tile (a counter) takes the
// sums back (exchange with 0), stores dR and db as bf16, and resets its
// counter.
// CHECK: dynamic_shared_bytes = 18436 : i64, entry = "lstm_backward_reduce", grid = [32, "heads", 1], kind = "backward_reduce", ptx = "kernels.ptx", waits_for_progress = true}
// CHECK-LABEL: gpu.func @lstm_backward_reduce(
// CHECK-SAME: {flashrnn.arg = "partial"}
// CHECK-SAME: {flashrnn.arg = "sync"}
// CHECK-SAME: %[[PROGRESS:[a-z0-9]+]]: memref<?xi32> {flashrnn.arg = "progress"}
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// Blocks in launch order (linear = y X + x) take the slices from the last
// steps down: slice = 15 - linear / (2 tiles x heads).
// CHECK: %[[LINEAR:.*]] = arith.addi %{{.*}}, %block_id_x : index
// CHECK: %[[PERSLICE:.*]] = arith.muli %grid_dim_y, %c2 : index
// CHECK: %[[RANK:.*]] = arith.divui %[[LINEAR]], %[[PERSLICE]] : index
// CHECK: %[[SLICE:.*]] = arith.subi %c15, %[[RANK]] : index
// The slice's steps: L = ceil(ceil(T / 16) / 32) x 32, t0 = slice x L.
// CHECK: %[[T:.*]] = memref.dim %arg2, %c1{{.*}} : memref<?x?x4x?x32xf32>
// CHECK: %[[T0:.*]] = arith.muli %[[SLICE]], %{{.*}} : index
// CHECK: memref.collapse_shape %arg2 {{\[}}[0, 1], [2], [3], [4]] : memref<?x?x4x?x32xf32> into memref<?x4x?x32xf32>
// CHECK: memref.collapse_shape %arg1 {{\[}}[0], [1, 2], [3], [4]]
// The wait, before the first load: thread 0 reads the head's words
// (ceil(B / 8) tiles x 1 CTA) and spins on each with atomic reads until it
// reaches T - t0, sleeping 1 us between reads, trapping after 2^23; then a
// GPU fence and a barrier.
// CHECK: %[[LEFT:.*]] = arith.subi %[[T]], %[[T0]] : index
// CHECK: %[[NEEDED:.*]] = arith.index_cast %{{.*}} : index to i32
// CHECK: %[[LEADER:.*]] = arith.cmpi eq, %thread_id_x, %c0{{.*}} : index
// CHECK: scf.if %[[LEADER]] {
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %{{.*}} step %c1
// CHECK: scf.while
// CHECK: %[[SEEN:.*]] = memref.atomic_rmw addi %{{.*}}, %[[PROGRESS]][%{{.*}}] : (i32, memref<?xi32>) -> i32
// CHECK: arith.cmpi slt, %[[SEEN]], %[[NEEDED]] : i32
// CHECK: arith.constant 8388608 : i32
// CHECK: llvm.intr.trap
// CHECK: %[[SLEEP:.*]] = arith.constant 1000 : i32
// CHECK: nvvm.nanosleep %[[SLEEP]]
// CHECK: nvvm.memory.barrier <gpu>
// CHECK-NEXT: gpu.barrier
// The first chunk: per thread 4 runs of 4 gradients (16-byte loads) and 4
// runs of h_{t-1} (s0 in bf16 at t = 0, else the saved f32 state).
// CHECK-COUNT-4: vector.load {{.*}} {alignment = 16 : i64} : memref<?x4x?x32xf32>, vector<4xf32>
// CHECK: vector.load %arg0[{{.*}}] {alignment = 8 : i64} : memref<2x?x?x32xbf16>, vector<4xbf16>
// CHECK: vector.load {{.*}} {alignment = 16 : i64} : memref<2x?x?x32xf32>, vector<4xf32>
// One iteration per chunk (a batch row's 32 consecutive steps).
// CHECK: scf.for %{{.*}} = %c0{{.*}} to %{{.*}} step %c1{{.*}} iter_args(
// Each loaded value is rounded to tf32 once and staged as its bits.
// CHECK-COUNT-32: nvvm.convert.float.to.tf32 {{.*}}rna
// CHECK: gpu.barrier
// CHECK-COUNT-8: vector.store {{.*}} {alignment = 16 : i64} : memref<2x32x72xi32, #gpu.address_space<workgroup>>, vector<4xi32>
// CHECK: gpu.barrier
// CHECK-NOT: nvvm.convert.float.to.tf32
// CHECK-COUNT-32: nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<tf32>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 8>
// CHECK-NOT: nvvm.mma.sync
// CHECK: memref.atomic_rmw addf {{.*}} : (f32, memref<?x4x32x33xf32>) -> f32
// CHECK: nvvm.memory.barrier <gpu>
// CHECK: memref.atomic_rmw addi {{.*}} : (i32, memref<?xi32>) -> i32
// CHECK: memref.atomic_rmw assign {{.*}} : (f32, memref<?x4x32x33xf32>) -> f32
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: memref.store {{.*}} : memref<4x?x32x32xbf16>
// CHECK: memref.atomic_rmw assign {{.*}} : (i32, memref<?xi32>) -> i32
// CHECK: gpu.return

// UNKNOWN: error: 'flashrnn.sequence' op unknown reduction 'columns': expected auto, mma, sliced or serial
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

// -----

// f32: the tf32 operands would carry fewer bits than the inputs, so auto
// takes the sliced reduction, and reduction=mma is an error.
// CHECK: entry = "lstm_backward_reduce", grid = [16, "heads", 1], kind = "backward_reduce"
// NOTF32: error: 'flashrnn.sequence' op cannot use the tensor-core reduction (reduction=mma): it takes bf16 or f16 sequences, this one is 'f32'; use reduction=sliced or auto
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
func.func @g(%wx: tensor<?x?x4x?x32xf32>, %r: tensor<4x?x32x32xf32>, %b: tensor<4x?x32xf32>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x32xf32>, tensor<4x?x32x32xf32>, tensor<4x?x32xf32>) -> (tensor<2x?x?x?x32xf32>, tensor<2x?x?x32xf32>)
  return
}
