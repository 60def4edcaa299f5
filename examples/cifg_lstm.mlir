// CIFG-LSTM: an LSTM with a coupled input-forget gate (Greff et al. 2017,
// "LSTM: A Search Space Odyssey"). The input gate is 1 - f, so the cell has
// three gates (f, z, o) and a quarter fewer recurrent FLOPs than an LSTM.
// Neither FlashRNN, cuDNN nor haste ships it.
//
//   f  = sigmoid(R_f h + Wx_f + b_f)
//   z  = tanh(R_z h + Wx_z + b_z)
//   o  = sigmoid(R_o h + Wx_o + b_o)
//   c' = f * c + (1 - f) * z
//   h' = o * tanh(c')
//
// States (h, c), h feeds the recurrence. Size: B=16, T=1024, 12 heads of 64.
flashrnn.cell @cifg_lstm gates(f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %f: f32, %z: f32, %o: f32) {
  %one = arith.constant 1.0 : f32
  %fg = flashrnn.sigmoid %f : f32
  %ig = arith.subf %one, %fg : f32
  %zg = math.tanh %z : f32
  %og = flashrnn.sigmoid %o : f32
  %fc = arith.mulf %fg, %c : f32
  %iz = arith.mulf %ig, %zg : f32
  %c1 = arith.addf %fc, %iz : f32
  %tc = math.tanh %c1 : f32
  %h1 = arith.mulf %og, %tc : f32
  flashrnn.yield %h1, %c1 : f32, f32
}

func.func @forward(%wx: tensor<16x1024x3x12x64xbf16>, %r: tensor<3x12x64x64xbf16>,
                   %b: tensor<3x12x64xbf16>)
    -> (tensor<2x16x1024x12x64xbf16>, tensor<2x16x12x64xbf16>) {
  %states, %last = flashrnn.sequence @cifg_lstm(%wx, %r, %b)
      : (tensor<16x1024x3x12x64xbf16>, tensor<3x12x64x64xbf16>, tensor<3x12x64xbf16>)
      -> (tensor<2x16x1024x12x64xbf16>, tensor<2x16x12x64xbf16>)
  return %states, %last : tensor<2x16x1024x12x64xbf16>, tensor<2x16x12x64xbf16>
}
