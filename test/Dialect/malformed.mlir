// Malformed input of every kind is an error with exit code 1, never a crash
// (`not` fails on a signal). Generic forms bypass the custom parser, so the
// verifier must not trust the attributes either.
// RUN: not flashrnn-opt %s -split-input-file 2>&1 | FileCheck %s

// CHECK: error: invalid properties {{.*}} for op flashrnn.cell: Invalid attribute `gates`
"flashrnn.cell"() <{sym_name = "c", gates = 1 : i32, states = [], constants = []}> ({
^bb0(%h: f32):
  "flashrnn.yield"(%h) : (f32) -> ()
}) : () -> ()

// -----

// CHECK: error: 'flashrnn.cell' op attribute 'states' failed to satisfy constraint: array of states
"flashrnn.cell"() <{sym_name = "c", gates = [#flashrnn.gate<name = "g", recurrent = true, input = false, bias = false, split = false, recurrentBias = false>], states = [1.0], constants = []}> ({
^bb0(%h: f32, %g: f32):
  "flashrnn.yield"(%g) : (f32) -> ()
}) : () -> ()

// -----

// CHECK: error: 'flashrnn.cell' op requires attribute 'constants'
"flashrnn.cell"() <{sym_name = "c", gates = [], states = []}> ({
}) : () -> ()

// -----

// CHECK: error: 'flashrnn.cell' op region #0 ('body') failed to verify constraint: region with 1 blocks
"flashrnn.cell"() <{sym_name = "c", gates = [#flashrnn.gate<name = "g", recurrent = true, input = false, bias = false, split = false, recurrentBias = false>], states = [#flashrnn.state<name = "h", init = 0.0 : f64, recurrent = true>], constants = []}> ({
}) : () -> ()

// -----

// CHECK: error: expected ':'
flashrnn.cell @c gates(g rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// CHECK: error: expected floating point literal
flashrnn.cell @c gates(g: rec) states(h = zero recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// CHECK: error: custom op 'flashrnn.cell' expected 'body'
flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent) {
  flashrnn.yield %g : f32
}

// -----

// CHECK: error: empty block: expect at least a terminator
flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
}

// -----

// CHECK: error: block with no terminator
flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
}

// -----

// CHECK: error: use of undeclared SSA value name
flashrnn.cell @c gates(g: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %x : f32
}

// -----

// CHECK: error: 'flashrnn.sequence' op expected 3 or more operands, but found 0
"flashrnn.sequence"() <{cell = @c}> : () -> (tensor<1xf32>, tensor<1xf32>)

// -----

// CHECK: error: custom op 'flashrnn.cell' expected valid '@'-identifier for symbol name
flashrnn.cell gates(g: rec) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  flashrnn.yield %g : f32
}

// -----

// CHECK: error: expected ')'
flashrnn.cell @c gates(g: rec in bias
