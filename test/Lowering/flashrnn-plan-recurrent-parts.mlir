// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true" | FileCheck %s
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true training-h-parts=2 backward-dg-parts=2" | FileCheck %s --check-prefix=TWO
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan="training=true training-h-parts=1" | FileCheck %s --check-prefix=HONE
// RUN: flashrnn-opt %s -split-input-file -flashrnn-plan | FileCheck %s --check-prefix=INFER

// How many element-type terms carry the recurrent operand of the training
// kernels' matmul. h in the training forward: one where every op of the
// cell body is smooth (LSTM: sigmoid, tanh, mul, add), two (hi + lo, the
// default of the attribute, not printed) where the body has a branch point
// or an exponential (sLSTM: max, exp, div; Li-GRU: max). dg in the
// backward: one for every cell. The options override the choice, each for
// its kernel. With one part the backward's dg rows are half as long: 2 x 8
// x (4 x 64 + 8) x 2 B = 8448, plus the stage of the gate gradients
// (26624 B), instead of 16640 + 26624. An inference plan has no training
// kernels: nothing is printed.
// CHECK-LABEL: func.func @lstm64
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 35072, stagedStores = true, recurrentParts = 1>
// CHECK-SAME: flashrnn.schedule = #flashrnn.schedule<{{.*}}threads = 256, rPlacement = "registers", {{.*}}stagedStores = true, recurrentParts = 1>
// TWO-LABEL: func.func @lstm64
// TWO: flashrnn.backward_schedule = #flashrnn.schedule<{{[^>]*}}sharedBytes = 43264, stagedStores = true>
// TWO-SAME: flashrnn.schedule = #flashrnn.schedule<{{[^>]*}}stagedStores = true>
// HONE-LABEL: func.func @lstm64
// HONE: flashrnn.backward_schedule = #flashrnn.schedule<{{.*}}sharedBytes = 35072, stagedStores = true, recurrentParts = 1>
// HONE-SAME: flashrnn.schedule = #flashrnn.schedule<{{.*}}stagedStores = true, recurrentParts = 1>
// INFER-LABEL: func.func @lstm64
// INFER-NOT: recurrentParts
// INFER: flashrnn.schedule = #flashrnn.schedule<{{.*}}rPlacement = "registers"
// INFER-NOT: recurrentParts
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

// -----

// An exponential: two parts of h in the training forward, one of dg in the
// backward; with training-h-parts=1 the forward takes one too, and with
// backward-dg-parts=2 the backward two.
// CHECK-LABEL: func.func @exp_cell
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<{{[^>]*}}rPlacement = "registers", gridBarrier = false, sharedBytes = {{[0-9]+}}{{(, stagedStores = true)?}}, recurrentParts = 1>
// CHECK-SAME: flashrnn.schedule = #flashrnn.schedule<{{[^>]*}}rPlacement = "registers", gridBarrier = false, sharedBytes = {{[0-9]+}}{{(, stagedStores = true)?}}>
// TWO-LABEL: func.func @exp_cell
// TWO: flashrnn.backward_schedule = #flashrnn.schedule<{{[^>]*}}sharedBytes = {{[0-9]+}}{{(, stagedStores = true)?}}>
// HONE-LABEL: func.func @exp_cell
// HONE: flashrnn.backward_schedule = #flashrnn.schedule<{{[^>]*}}sharedBytes = {{[0-9]+}}{{(, stagedStores = true)?}}, recurrentParts = 1>
// HONE-SAME: flashrnn.schedule = #flashrnn.schedule<{{[^>]*}}sharedBytes = {{[0-9]+}}{{(, stagedStores = true)?}}, recurrentParts = 1>
flashrnn.cell @expcell gates(i: rec in bias, f: rec in bias) states(h = 0.0 recurrent)
    body(%h: f32, %i: f32, %f: f32) {
  %e = math.exp %i : f32
  %s = flashrnn.sigmoid %f : f32
  %h1 = arith.mulf %e, %s : f32
  flashrnn.yield %h1 : f32
}
func.func @exp_cell(%wx: tensor<?x?x2x?x64xbf16>, %r: tensor<2x?x64x64xbf16>, %b: tensor<2x?x64xbf16>) {
  %s, %l = flashrnn.sequence @expcell(%wx, %r, %b) : (tensor<?x?x2x?x64xbf16>, tensor<2x?x64x64xbf16>, tensor<2x?x64xbf16>) -> (tensor<1x?x?x?x64xbf16>, tensor<1x?x?x64xbf16>)
  return
}

// -----

// A ReLU (max) is a branch point: two parts of h, one of dg (and two warps
// per group of units: one gate, a short matmul; flashrnn-plan-row-split.mlir).
// CHECK-LABEL: func.func @relu_cell
// CHECK: flashrnn.backward_schedule = #flashrnn.schedule<{{[^>]*}}rPlacement = "registers", gridBarrier = false, sharedBytes = {{[0-9]+}}{{(, stagedStores = true)?}}, recurrentParts = 1, rowSplit = 2>
// CHECK-SAME: flashrnn.schedule = #flashrnn.schedule<{{[^>]*}}rPlacement = "registers", gridBarrier = false, sharedBytes = {{[0-9]+}}{{(, stagedStores = true)?}}>
flashrnn.cell @relu gates(g: rec in bias) states(h = 0.0 recurrent)
    body(%h: f32, %g: f32) {
  %zero = arith.constant 0.0 : f32
  %h1 = arith.maximumf %g, %zero : f32
  flashrnn.yield %h1 : f32
}
func.func @relu_cell(%wx: tensor<?x?x1x?x64xbf16>, %r: tensor<1x?x64x64xbf16>, %b: tensor<1x?x64xbf16>) {
  %s, %l = flashrnn.sequence @relu(%wx, %r, %b) : (tensor<?x?x1x?x64xbf16>, tensor<1x?x64x64xbf16>, tensor<1x?x64xbf16>) -> (tensor<1x?x?x?x64xbf16>, tensor<1x?x?x64xbf16>)
  return
}
