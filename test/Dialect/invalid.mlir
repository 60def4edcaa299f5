// RUN: flashrnn-opt %s -split-input-file -verify-diagnostics
//
// Every diagnostic of the cell level, one per split.

// expected-error @+1 {{unknown flag 'recurrent' of gate 'g'; expected rec, in, bias, split or rbias}}
flashrnn.cell @c gates(g: recurrent in) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// expected-error @+1 {{flag 'in' given twice for gate 'g'}}
flashrnn.cell @c gates(g: rec in in) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op has a gate with an empty name}}
flashrnn.cell @c gates("": rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op declares the name 'h' twice (as gate and as state)}}
flashrnn.cell @c gates(h: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op declares the name 'g' twice (as gate and as gate)}}
flashrnn.cell @c gates(g: rec, g: in) states(h = 0.0 recurrent) body(%h: f32, %g: f32, %g2: f32) {
  flashrnn.yield %g : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op declares no gates}}
flashrnn.cell @c gates() states(h = 0.0 recurrent) body(%h: f32) {
  flashrnn.yield %h : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op gate 'g' has no recurrent part, no input part and no bias (give it at least one of rec, in, bias)}}
flashrnn.cell @c gates(g:) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op gate 'n' is split but has no recurrent part (rec)}}
flashrnn.cell @c gates(g: rec, n: in split) states(h = 0.0 recurrent) body(%h: f32, %g: f32, %nx: f32, %nr: f32) {
  flashrnn.yield %g : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op gate 'n' has a recurrent bias (rbias) but is not split; a bias on the sum is just 'bias'}}
flashrnn.cell @c gates(n: rec in rbias) states(h = 0.0 recurrent) body(%h: f32, %n: f32) {
  flashrnn.yield %n : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op declares no states}}
flashrnn.cell @c gates(g: rec) states() body(%g: f32) {
  flashrnn.yield
}

// -----

// expected-error @+1 {{'flashrnn.cell' op must mark exactly one state 'recurrent' (the state that feeds R), found 0}}
flashrnn.cell @c gates(g: rec) states(h = 0.0) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op must mark exactly one state 'recurrent' (the state that feeds R), found 2}}
flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent, c = 0.0 recurrent) body(%h: f32, %c: f32, %g: f32) {
  flashrnn.yield %g, %g : f32, f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op has no recurrent gate (rec): it is not a recurrent cell}}
flashrnn.cell @c gates(g: in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op body must take 4 arguments (1 states, 2 gate values, 1 constants), got 3}}
flashrnn.cell @c gates(g: rec in bias split) states(h = 0.0 recurrent) constants(k = 2.0) body(%h: f32, %gx: f32, %gr: f32) {
  flashrnn.yield %gx : f32
}

// -----

// expected-error @+1 {{'flashrnn.cell' op body argument #2 (recurrent part of gate 'g') must be f32, got 'f16'}}
flashrnn.cell @c gates(g: rec in bias split) states(h = 0.0 recurrent) body(%h: f32, %gx: f32, %gr: f16) {
  flashrnn.yield %gx : f32
}

// -----

flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent, c = 0.0) body(%h: f32, %c: f32, %g: f32) {
  // expected-error @+1 {{'flashrnn.yield' op yields 1 values but cell '@c' has 2 states}}
  flashrnn.yield %g : f32
}

// -----

flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = arith.extf %g : f32 to f64
  // expected-error @+1 {{'flashrnn.yield' op yields 'f64' for state 'h'; states are f32}}
  flashrnn.yield %0 : f64
}

// -----

flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  // expected-error @+1 {{'math.sin' op in the body of cell '@c' has no derivative rule; supported ops are listed in docs/DIALECT.md}}
  %0 = math.sin %g : f32
  flashrnn.yield %0 : f32
}

// -----

flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  // expected-error @+1 {{'tensor.empty' op in the body of cell '@c' is not element-wise: a cell body computes on scalars, one (batch, unit) element at a time}}
  %0 = tensor.empty() : tensor<4xf32>
  flashrnn.yield %g : f32
}

// -----

flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  // expected-error @+1 {{'arith.constant' op in the body of cell '@c' has a result of type 'f64'; cell bodies compute in 'f32'}}
  %0 = arith.constant 1.0 : f64
  flashrnn.yield %g : f32
}

// -----

flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = arith.cmpf olt, %h, %g : f32
  // expected-error @+1 {{'arith.select' op in the body of cell '@c' has operand #1 of type 'i1'; cell bodies compute in 'f32'}}
  %1 = arith.select %0, %0, %0 : i1
  flashrnn.yield %g : f32
}

// -----

func.func @f(%x: f32) -> f32 {
  // expected-error @+1 {{'flashrnn.yield' op expects parent op 'flashrnn.cell'}}
  flashrnn.yield %x : f32
}

// -----

func.func @f(%x: f64) -> f64 {
  // expected-error @+1 {{'flashrnn.sigmoid' op operand #0 must be 32-bit float, but got 'f64'}}
  %0 = flashrnn.sigmoid %x : f64
  return %0 : f64
}

// -----

// The sequence op.

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xf64>, %r: tensor<1x4x8x8xf64>, %b: tensor<1x4x8xf64>) {
  // expected-error @+1 {{'flashrnn.sequence' op Wx has element type 'f64'; supported element types are bf16, f16 and f32}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x8xf64>, tensor<1x4x8x8xf64>, tensor<1x4x8xf64>) -> (tensor<1x2x3x4x8xf64>, tensor<1x2x4x8xf64>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<1x4x8x8xf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op R has element type 'f16' but Wx has 'bf16'; all tensors share one element type}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<1x4x8x8xf16>, tensor<1x4x8xbf16>) -> (tensor<1x2x3x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<1x4x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op R must have rank 4 [Gr, NH, DH, DH], got 'tensor<1x4x8xbf16>'}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<1x4x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<1x2x3x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<1x5x8x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op dimension NH disagrees: Wx has 4 but R has 5}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<1x5x8x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<1x2x3x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<1x4x8x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op dimension B disagrees: Wx has 2 but last has 7}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<1x4x8x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<1x?x3x4x8xbf16>, tensor<1x7x4x8xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<1x4x8x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op dimension T disagrees: Wx has 3 but states has 9}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<1x4x8x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<1x2x9x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x?xbf16>, %r: tensor<1x4x8x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op Wx dimension 4 (DH) must be static}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x?xbf16>, tensor<1x4x8x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<1x2x3x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<1x4x8x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op refers to '@nope', which is not defined}}
  %s, %l = flashrnn.sequence @nope(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<1x4x8x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<1x2x3x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<1x4x8x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op '@f' is a func.func, not a flashrnn.cell}}
  %s, %l = flashrnn.sequence @f(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<1x4x8x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<1x2x3x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x2x4x8xbf16>, %r: tensor<1x4x8x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op Wx dimension 2 (Gw) is 2 but cell '@elman' has 1 gates with an input part (in)}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x2x4x8xbf16>, tensor<1x4x8x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<1x2x3x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<3x4x8x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op R dimension 0 (Gr) is 3 but cell '@elman' has 1 gates with a recurrent part (rec)}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<3x4x8x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<1x2x3x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<1x4x8x8xbf16>, %b: tensor<2x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op b dimension 0 (Gb) is 2 but cell '@elman' has 1 bias rows (bias + rbias)}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<1x4x8x8xbf16>, tensor<2x4x8xbf16>) -> (tensor<1x2x3x4x8xbf16>, tensor<1x2x4x8xbf16>)
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xbf16>, %r: tensor<1x4x8x8xbf16>, %b: tensor<1x4x8xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op states dimension 0 (S) is 2 but cell '@elman' has 1 states}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x8xbf16>, tensor<1x4x8x8xbf16>, tensor<1x4x8xbf16>) -> (tensor<2x2x3x4x8xbf16>, tensor<2x2x4x8xbf16>)
  return
}

// -----

// A schedule with three parts of the recurrent operand: the kernels carry h
// and dg in one or two.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @three(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{schedule has recurrentParts = 3; the kernels carry h and dg in 1 or 2 parts}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 4096, recurrentParts = 3>} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

// A schedule that gives a lane's two batch rows to three warps: the backward
// gives them to one warp or two.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @threeWarps(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{schedule has rowSplit = 3; a lane's two batch rows go to 1 or 2 warps}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 4096, rowSplit = 3>} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

// Two warps per group of units in a schedule with K slices (threads = 8 x
// unitsPerCta): only a one-CTA backward without K slices has them.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @rowSplitWithSlices(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{schedule has rowSplit = 2 but is not a one-CTA tensor-core backward without K slices (needs rPlacement = "registers", ctasPerHead = 1 and threads = 4 * unitsPerCta = 128, got 1 CTA(s) of 256 threads)}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = false, sharedBytes = 4096, rowSplit = 2>} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

// Tagged words replace a grid barrier: a one-CTA schedule has none.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @taggedWithoutGridBarrier(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{schedule has taggedExchange but is not a tensor-core schedule over a grid barrier (needs rPlacement = "registers" and gridBarrier = true)}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 4096, taggedExchange = true>} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

// The asynchronous exchange writes into the other CTAs of a cluster: a
// head over a grid barrier has no cluster.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @asyncWithoutCluster(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{schedule has asyncExchange but is not a tensor-core schedule in a thread-block cluster (needs rPlacement = "registers" and cluster = true)}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 16, batchTile = 8, threads = 64, rPlacement = "registers", gridBarrier = true, sharedBytes = 4096, asyncExchange = true>} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

// Shared k-tiles of R are a count, and only the tensor-core forward has them.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @negativeSharedRTiles(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{schedule has sharedRTiles = -1; expected 0, or a positive count of k-tiles in a tensor-core schedule (rPlacement = "registers")}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 4096, sharedRTiles = -1>} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}

// -----

// A batch variant takes over from the sequence's schedule at 2 or more
// (head, batch tile) pairs: every run has at least 1.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @batchVariantFromOne(%wx: tensor<?x?x1x?x32xbf16>, %r: tensor<1x?x32x32xbf16>, %b: tensor<1x?x32xbf16>) {
  // expected-error @+1 {{batch variant has minHeadTiles = 1; expected at least 2 (below it the sequence's own schedule runs)}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) {flashrnn.batch_variants = [#flashrnn.batch_variant<minHeadTiles = 1, schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 4096>>]} : (tensor<?x?x1x?x32xbf16>, tensor<1x?x32x32xbf16>, tensor<1x?x32xbf16>) -> (tensor<1x?x?x?x32xbf16>, tensor<1x?x?x32xbf16>)
  return
}
