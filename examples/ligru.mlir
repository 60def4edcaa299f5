// Li-GRU, the light GRU (Ravanelli et al. 2018, "Light Gated Recurrent Units
// for Speech Recognition"): no reset gate and a ReLU candidate. Neither
// FlashRNN, cuDNN nor haste ships it. Gate order z, n.
//
//   z  = sigmoid(R_z h + Wx_z + b_z)     update gate
//   n  = max(R_n h + Wx_n + b_n, 0)      ReLU candidate
//   h' = z * h + (1 - z) * n
//
// One state h. (The paper batch-normalises the input projection; that is
// part of Wx, the user's.) Size: B=16, T=1024, 12 heads of 64.
flashrnn.cell @ligru gates(z: rec in bias, n: rec in bias) states(h = 0.0 recurrent)
    body(%h: f32, %z: f32, %n: f32) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %zg = flashrnn.sigmoid %z : f32
  %cand = arith.maximumf %n, %zero : f32
  %keep = arith.mulf %zg, %h : f32
  %omz = arith.subf %one, %zg : f32
  %new = arith.mulf %omz, %cand : f32
  %h1 = arith.addf %keep, %new : f32
  flashrnn.yield %h1 : f32
}

func.func @forward(%wx: tensor<16x1024x2x12x64xbf16>, %r: tensor<2x12x64x64xbf16>,
                   %b: tensor<2x12x64xbf16>)
    -> (tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>) {
  %states, %last = flashrnn.sequence @ligru(%wx, %r, %b)
      : (tensor<16x1024x2x12x64xbf16>, tensor<2x12x64x64xbf16>, tensor<2x12x64xbf16>)
      -> (tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>)
  return %states, %last : tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>
}
