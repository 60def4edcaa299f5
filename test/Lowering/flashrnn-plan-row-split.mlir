// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true" | FileCheck %s
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true backward-row-split=1" | FileCheck %s --check-prefix=ONE
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true backward-row-split=2" | FileCheck %s --check-prefix=TWO

// How many warps serve each group of 16 units in the tensor-core backward of
// a head in one CTA (rowSplit, printed only when 2). The planner gives two
// (twice the threads, each adjoining one of a lane's two batch rows) where
// the step is mostly adjoint: a short matmul, at most 4 k-tiles (Elman 64:
// 1 gate x 64 / 16), or where four elements per thread only leave registers
// for the late prefetch and two get the full one (sLSTM 64, four states).
// LSTM 64 (16 k-tiles, the full prefetch) keeps one. The option overrides
// the choice where two fit; a head over several CTAs or K slices never has
// two.

// CHECK-LABEL: func.func @elman64
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}threads = 256, {{.*}}rowSplit = 2>
// ONE-LABEL: func.func @elman64
// ONE: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}threads = 128, {{[^>]*}}recurrentParts = 1>
// ONE-NOT: rowSplit
// TWO-LABEL: func.func @elman64
// TWO: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}threads = 256, {{.*}}rowSplit = 2>
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @elman64(%wx: tensor<?x?x1x?x64xbf16>, %r: tensor<1x?x64x64xbf16>, %b: tensor<1x?x64xbf16>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x64xbf16>, tensor<1x?x64x64xbf16>, tensor<1x?x64xbf16>) -> (tensor<1x?x?x?x64xbf16>, tensor<1x?x?x64xbf16>)
  return
}

// -----

// CHECK-LABEL: func.func @lstm64
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}threads = 128, {{[^>]*}}recurrentParts = 1>
// CHECK-NOT: rowSplit
// ONE-LABEL: func.func @lstm64
// ONE-NOT: rowSplit
// TWO-LABEL: func.func @lstm64
// TWO: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}threads = 256, {{.*}}rowSplit = 2>
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
func.func @lstm64(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<2x?x?x?x64xbf16>, tensor<2x?x?x64xbf16>)
  return
}

// A head of 256 over a cluster of CTAs with K slices: one warp per row
// pair, whatever the option says.
// CHECK-LABEL: func.func @lstm256
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}ctasPerHead = 8,
// CHECK-NOT: rowSplit
// TWO-LABEL: func.func @lstm256
// TWO: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}ctasPerHead = 8,
// TWO-NOT: rowSplit
func.func @lstm256(%wx: tensor<?x?x4x?x256xbf16>, %r: tensor<4x?x256x256xbf16>, %b: tensor<4x?x256xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x256xbf16>, tensor<4x?x256x256xbf16>, tensor<4x?x256xbf16>) -> (tensor<2x?x?x?x256xbf16>, tensor<2x?x?x256xbf16>)
  return
}

// -----

// sLSTM 64: four states; with four elements per thread only the late
// prefetch fits, with two the full one.
// CHECK-LABEL: func.func @slstm64
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}threads = 256, {{.*}}rowSplit = 2>
// ONE-LABEL: func.func @slstm64
// ONE-NOT: rowSplit
// TWO-LABEL: func.func @slstm64
// TWO: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}rowSplit = 2>
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
func.func @slstm64(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @slstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<4x?x?x?x64xbf16>, tensor<4x?x?x64xbf16>)
  return
}
