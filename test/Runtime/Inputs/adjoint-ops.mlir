// One cell per op of docs/DIALECT.md, for the derivative-rule check in
// adjoint-rules.test. Binary ops take (g, h); select picks by g < h.

flashrnn.cell @exp gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.exp %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_exp(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @exp(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @log gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.log %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_log(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @log(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @log1p gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.log1p %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_log1p(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @log1p(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @tanh gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_tanh(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @tanh(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @sqrt gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.sqrt %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_sqrt(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @sqrt(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @absf gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.absf %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_absf(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @absf(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @sigmoid gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = flashrnn.sigmoid %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_sigmoid(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @sigmoid(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @logsigmoid gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = flashrnn.logsigmoid %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_logsigmoid(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @logsigmoid(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @softplus gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = flashrnn.softplus %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_softplus(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @softplus(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @stop_gradient gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = flashrnn.stop_gradient %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_stop_gradient(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @stop_gradient(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @negf gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = arith.negf %g : f32
  flashrnn.yield %0 : f32
}
func.func @run_negf(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @negf(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @addf gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = arith.addf %g, %h : f32
  flashrnn.yield %0 : f32
}
func.func @run_addf(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @addf(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @subf gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = arith.subf %g, %h : f32
  flashrnn.yield %0 : f32
}
func.func @run_subf(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @subf(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @mulf gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = arith.mulf %g, %h : f32
  flashrnn.yield %0 : f32
}
func.func @run_mulf(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @mulf(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @divf gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = arith.divf %g, %h : f32
  flashrnn.yield %0 : f32
}
func.func @run_divf(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @divf(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @maximumf gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = arith.maximumf %g, %h : f32
  flashrnn.yield %0 : f32
}
func.func @run_maximumf(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @maximumf(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @minimumf gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = arith.minimumf %g, %h : f32
  flashrnn.yield %0 : f32
}
func.func @run_minimumf(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @minimumf(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @select gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %c = arith.cmpf olt, %g, %h : f32
  %0 = arith.select %c, %g, %h : f32
  flashrnn.yield %0 : f32
}
func.func @run_select(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @select(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}

flashrnn.cell @constant gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %k = arith.constant 2.5 : f32
  %0 = arith.mulf %g, %k : f32
  flashrnn.yield %0 : f32
}
func.func @run_constant(%wx: tensor<2x3x1x1x4xf32>, %r: tensor<1x1x4x4xf32>, %b: tensor<1x1x4xf32>) -> tensor<1x2x1x4xf32> {
  %s, %l = flashrnn.sequence @constant(%wx, %r, %b) : (tensor<2x3x1x1x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4xf32>) -> (tensor<1x2x3x1x4xf32>, tensor<1x2x1x4xf32>)
  return %l : tensor<1x2x1x4xf32>
}
