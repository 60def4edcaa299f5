// RUN: flashrnn-opt %s -flashrnn-plan="training=true" | FileCheck %s --check-prefix=PLAN
// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true chip=sm_80" | FileCheck %s --check-prefix=SM80

// A K-sliced tensor-core backward whose threads carry the state gradients
// of their own elements only. sLSTM 768 (four states) over 48 CTAs of 16
// units and 8 K slices: carrying all four elements' gradients (16 f32, of
// which the thread adjoins one) does not fit its register estimate in any
// split, carrying one element's (4 f32) does (mmaBackwardCarriesOwnedOnly).
// On sm_80 (28 more registers) it does not, and the scalar backward stays.
// PLAN: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 48, unitsPerCta = 16, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = true
// SM80: flashrnn.backward_schedule = #flashrnn.schedule<chip = "sm_80", {{.*}}rPlacement = "smem"
//
// The kernel: dlast of the one owned element (4 states), then the time loop
// carrying its 4 state gradients and, late-prefetched (sm_90), its 12 step
// values (dstates 4, states 4, gates 4). In the step the gradient goes
// through the branches of elements 0 .. 3 (slices 0 .. 3; slices 4 .. 7
// own none), each branch taking the previous one's results, so that the
// slice's own element adjoins it; after the loop its 4 initial-state
// gradients are stored.
// CHECK-LABEL: gpu.func @slstm_backward(
// CHECK-COUNT-4: memref.load %{{.*}} : memref<4x?x?x768xbf16>
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK: %[[E0:.*]]:4 = scf.if %{{.*}} -> (f32, f32, f32, f32) {
// CHECK: } else {
// CHECK-NEXT: scf.yield %arg{{[0-9]+}}, %arg{{[0-9]+}}, %arg{{[0-9]+}}, %arg{{[0-9]+}} : f32, f32, f32, f32
// CHECK: %[[E1:.*]]:4 = scf.if %{{.*}} -> (f32, f32, f32, f32) {
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[E0]]#0, %[[E0]]#1, %[[E0]]#2, %[[E0]]#3 : f32, f32, f32, f32
// CHECK: %[[E2:.*]]:4 = scf.if %{{.*}} -> (f32, f32, f32, f32) {
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[E1]]#0, %[[E1]]#1, %[[E1]]#2, %[[E1]]#3 : f32, f32, f32, f32
// CHECK: %[[E3:.*]]:4 = scf.if %{{.*}} -> (f32, f32, f32, f32) {
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[E2]]#0, %[[E2]]#1, %[[E2]]#2, %[[E2]]#3 : f32, f32, f32, f32
// CHECK: nvvm.mma.sync
// CHECK: scf.yield %{{.*}}, %[[E3]]#1, %[[E3]]#2, %[[E3]]#3,
// CHECK: } {flashrnn.time_loop}
// CHECK-COUNT-4: memref.store %{{.*}} : memref<4x?x?x768xbf16>
// CHECK-NOT: memref.store %{{.*}} : memref<4x?x?x768xbf16>
// CHECK: gpu.return
flashrnn.cell @slstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0, n = 0.0, m = 0.0)
    body(%h: f32, %c: f32, %n: f32, %m: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  %logf = flashrnn.logsigmoid %f : f32
  %lfm = arith.addf %logf, %m : f32
  %m1 = arith.maximumf %i, %lfm : f32
  %im = arith.subf %i, %m1 : f32
  %ig = math.exp %im : f32
  %fm = arith.subf %lfm, %m1 : f32
  %fg = math.exp %fm : f32
  %zg = math.tanh %z : f32
  %fc = arith.mulf %fg, %c : f32
  %iz = arith.mulf %ig, %zg : f32
  %c1 = arith.addf %fc, %iz : f32
  %fn = arith.mulf %fg, %n : f32
  %n1 = arith.addf %fn, %ig : f32
  %og = flashrnn.sigmoid %o : f32
  %cn = arith.divf %c1, %n1 : f32
  %h1 = arith.mulf %og, %cn : f32
  flashrnn.yield %h1, %c1, %n1, %m1 : f32, f32, f32, f32
}
func.func @slstm768(%wx: tensor<?x?x4x1x768xbf16>, %r: tensor<4x1x768x768xbf16>, %b: tensor<4x1x768xbf16>) {
  %s, %l = flashrnn.sequence @slstm(%wx, %r, %b) : (tensor<?x?x4x1x768xbf16>, tensor<4x1x768x768xbf16>, tensor<4x1x768xbf16>) -> (tensor<4x?x?x1x768xbf16>, tensor<4x?x1x768xbf16>)
  return
}
