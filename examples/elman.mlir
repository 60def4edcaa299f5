// Elman RNN (tanh), as torch.nn.RNN(nonlinearity="tanh").
//
//   h' = tanh(R h + Wx + b)
//
// One gate g, one state h. Size: B=16, T=1024, 12 heads of 64.
flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent)
    body(%h: f32, %g: f32) {
  %h1 = math.tanh %g : f32
  flashrnn.yield %h1 : f32
}

func.func @forward(%wx: tensor<16x1024x1x12x64xbf16>, %r: tensor<1x12x64x64xbf16>,
                   %b: tensor<1x12x64xbf16>)
    -> (tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>) {
  %states, %last = flashrnn.sequence @elman(%wx, %r, %b)
      : (tensor<16x1024x1x12x64xbf16>, tensor<1x12x64x64xbf16>, tensor<1x12x64xbf16>)
      -> (tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>)
  return %states, %last : tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>
}
