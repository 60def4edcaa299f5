// The backward's progress words (lowering/Common/BackwardProgress.h), which
// let the tensor-core reduction run beside the backward.
// RUN: flashrnn-opt %examples/lstm.mlir -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s --check-prefix=PERIODS
// RUN: flashrnn-opt %examples/slstm.mlir -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s --check-prefix=INSTEP
// RUN: flashrnn-opt %examples/elman.mlir -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s --check-prefix=NONE

// LSTM 64 (one CTA, no K slices, the full prefetch): thread 0 counts the CTA
// as started (progress[0] += 1) before anything else; the time loop runs in
// periods of 32 steps, and after each period thread 0 fences and publishes
// the last step index of the period in the CTA's word 1 + (head x tiles +
// tile) x 1 + cta; after the loop (and the last flush and a barrier) it
// publishes T. Nothing is published inside the step. The reduction waits
// for the words, so the description lets the runtime run it beside.
// The description (on the sequence, before the kernels).
// PERIODS: entry = "lstm_backward_reduce", {{.*}}waits_for_progress = true}
// PERIODS-LABEL: gpu.func @lstm_backward(
// PERIODS-SAME: %[[PROGRESS:[a-z0-9]+]]: memref<?xi32> {flashrnn.arg = "progress"}
// PERIODS: %[[LEAD:.*]] = arith.cmpi eq, %thread_id_x, %{{.*}} : index
// PERIODS-NEXT: scf.if %[[LEAD]] {
// PERIODS: memref.atomic_rmw addi %c1_i32, %[[PROGRESS]][%c0{{.*}}] : (i32, memref<?xi32>) -> i32
// PERIODS: %[[T:.*]] = memref.dim %arg4, %c2{{.*}} : memref<2x?x?x?x64xbf16>
// PERIODS: scf.for %[[P:.*]] = %c0{{.*}} to %[[T]] step %c32{{.*}} iter_args(
// PERIODS: %[[END:.*]] = arith.minui %[[T]], %{{.*}} : index
// PERIODS: scf.for %{{.*}} = %[[P]] to %[[END]] step %c1{{.*}} iter_args(
// PERIODS-NOT: memref.atomic_rmw assign {{.*}} %[[PROGRESS]]
// PERIODS: } {flashrnn.time_loop}
// PERIODS: %[[LAST:.*]] = arith.subi %[[END]], %c1{{.*}} : index
// PERIODS: scf.if
// PERIODS-NEXT: nvvm.memory.barrier <gpu>
// PERIODS: arith.addi %{{.*}}, %block_id_x : index
// PERIODS: %[[DONE:.*]] = arith.index_cast %[[LAST]] : index to i32
// PERIODS-NEXT: memref.atomic_rmw assign %[[DONE]], %[[PROGRESS]][%{{.*}}] : (i32, memref<?xi32>) -> i32
// PERIODS: gpu.barrier
// PERIODS: scf.if
// PERIODS-NEXT: nvvm.memory.barrier <gpu>
// PERIODS: %[[ALL:.*]] = arith.index_cast %[[T]] : index to i32
// PERIODS-NEXT: memref.atomic_rmw assign %[[ALL]], %[[PROGRESS]][%{{.*}}] : (i32, memref<?xi32>) -> i32
// PERIODS: gpu.return

// sLSTM 64 (two warps per group of units): one time loop, and after the
// step's barrier thread 0 publishes `it` where it mod 32 = 0 and it > 0.
// The description (on the sequence, before the kernels).
// INSTEP: entry = "slstm_backward_reduce", {{.*}}waits_for_progress = true}
// INSTEP-LABEL: gpu.func @slstm_backward(
// INSTEP-NOT: step %c32
// INSTEP: scf.for %[[IT:[a-z0-9]+]] = %c0{{.*}} to %{{.*}} step %c1{{.*}} iter_args(
// INSTEP: gpu.barrier
// INSTEP: %[[LATER:.*]] = arith.cmpi ugt, %[[IT]], %c0{{.*}} : index
// INSTEP: %[[MOD:.*]] = arith.remui %[[IT]], %c32{{.*}} : index
// INSTEP: %[[DUE:.*]] = arith.cmpi eq, %[[MOD]], %c0{{.*}} : index
// INSTEP: arith.andi %[[DUE]], %[[LATER]] : i1
// INSTEP: nvvm.memory.barrier <gpu>
// INSTEP: %[[DONE:.*]] = arith.index_cast %[[IT]] : index to i32
// INSTEP-NEXT: memref.atomic_rmw assign %[[DONE]]
// INSTEP: } {flashrnn.time_loop}

// Elman 64 (one gate value): the reduction runs after the backward (beside
// it, it cost the short step more than it saved), so the backward
// publishes only once, T after the loop, and the reduction says it does not
// wait.
// The description (on the sequence, before the kernels).
// NONE: entry = "elman_backward_reduce", {{.*}}waits_for_progress = false}
// NONE-LABEL: gpu.func @elman_backward(
// NONE-NOT: step %c32
// NONE-NOT: memref.atomic_rmw assign
// NONE: gpu.barrier
// NONE: %true = arith.constant true
// NONE: nvvm.memory.barrier <gpu>
// NONE: memref.atomic_rmw assign
// NONE-NOT: memref.atomic_rmw assign {{.*}} : (i32, memref<?xi32>)
// NONE: gpu.return
