flashrnn.cell @a gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
flashrnn.cell @b gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = flashrnn.sigmoid %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x8xf32>, %r: tensor<1x4x8x8xf32>, %b: tensor<1x4x8xf32>) {
  %s, %l = flashrnn.sequence @a(%wx, %r, %b) : (tensor<2x3x1x4x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8xf32>) -> (tensor<1x2x3x4x8xf32>, tensor<1x2x4x8xf32>)
  %s2, %l2 = flashrnn.sequence @b(%wx, %r, %b) : (tensor<2x3x1x4x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8xf32>) -> (tensor<1x2x3x4x8xf32>, tensor<1x2x4x8xf32>)
  return
}
