// LSTM, in PyTorch's gate order (i, f, z, o) = torch.nn.LSTM's (i, f, g, o).
//
//   i = sigmoid(R_i h + Wx_i + b_i)      input gate
//   f = sigmoid(R_f h + Wx_f + b_f)      forget gate
//   z = tanh(R_z h + Wx_z + b_z)         cell input (torch's g)
//   o = sigmoid(R_o h + Wx_o + b_o)      output gate
//   c' = f * c + i * z
//   h' = o * tanh(c')
//
// States (h, c), h feeds the recurrence. One bias per gate: torch's
// b_ih + b_hh. Size: B=16, T=1024, 12 heads of 64 (hidden 768).
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

func.func @forward(%wx: tensor<16x1024x4x12x64xbf16>, %r: tensor<4x12x64x64xbf16>,
                   %b: tensor<4x12x64xbf16>)
    -> (tensor<2x16x1024x12x64xbf16>, tensor<2x16x12x64xbf16>) {
  %states, %last = flashrnn.sequence @lstm(%wx, %r, %b)
      : (tensor<16x1024x4x12x64xbf16>, tensor<4x12x64x64xbf16>, tensor<4x12x64xbf16>)
      -> (tensor<2x16x1024x12x64xbf16>, tensor<2x16x12x64xbf16>)
  return %states, %last : tensor<2x16x1024x12x64xbf16>, tensor<2x16x12x64xbf16>
}
