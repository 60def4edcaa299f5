// JANET, "just another network" (van der Westhuizen and Lasenby 2018, "The
// unreasonable effectiveness of the forget gate"): an LSTM reduced to its
// forget gate, with the input gate tied to it through a shift beta. Neither
// FlashRNN, cuDNN nor haste ships it. Gate order f, z.
//
//   s  = R_f h + Wx_f + b_f
//   h' = sigmoid(s) * h + (1 - sigmoid(s - beta)) * tanh(R_z h + Wx_z + b_z)
//
// One state h (the paper's cell state is its output). beta = 1 as in the
// paper; a named constant of the cell. Size: B=16, T=1024, 12 heads of 64.
flashrnn.cell @janet gates(f: rec in bias, z: rec in bias) states(h = 0.0 recurrent)
    constants(beta = 1.0)
    body(%h: f32, %f: f32, %z: f32, %beta: f32) {
  %one = arith.constant 1.0 : f32
  %fg = flashrnn.sigmoid %f : f32
  %shifted = arith.subf %f, %beta : f32
  %sg = flashrnn.sigmoid %shifted : f32
  %ig = arith.subf %one, %sg : f32
  %zg = math.tanh %z : f32
  %keep = arith.mulf %fg, %h : f32
  %new = arith.mulf %ig, %zg : f32
  %h1 = arith.addf %keep, %new : f32
  flashrnn.yield %h1 : f32
}

func.func @forward(%wx: tensor<16x1024x2x12x64xbf16>, %r: tensor<2x12x64x64xbf16>,
                   %b: tensor<2x12x64xbf16>)
    -> (tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>) {
  %states, %last = flashrnn.sequence @janet(%wx, %r, %b)
      : (tensor<16x1024x2x12x64xbf16>, tensor<2x12x64x64xbf16>, tensor<2x12x64xbf16>)
      -> (tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>)
  return %states, %last : tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>
}
