// GRU, reset-after, as torch.nn.GRU (gate order r, z, n).
//
//   r  = sigmoid(R_r h + Wx_r + b_r)
//   z  = sigmoid(R_z h + Wx_z + b_z)
//   n  = tanh(Wx_n + b_n + r * (R_n h + b_rn))
//   h' = (1 - z) * n + z * h
//
// The candidate n needs its recurrent part apart from its input part, so n
// is `split` (the body gets %n_x = Wx_n + b_n and %n_r = R_n h + b_rn) and
// has a recurrent bias (`rbias`). In torch terms b_r = b_ir + b_hr,
// b_z = b_iz + b_hz, b_n = b_in, b_rn = b_hn; b holds [b_r, b_z, b_n, b_rn].
// Size: B=16, T=1024, 12 heads of 64.
flashrnn.cell @gru gates(r: rec in bias, z: rec in bias, n: rec in bias split rbias)
    states(h = 0.0 recurrent)
    body(%h: f32, %r: f32, %z: f32, %n_x: f32, %n_r: f32) {
  %one = arith.constant 1.0 : f32
  %rg = flashrnn.sigmoid %r : f32
  %zg = flashrnn.sigmoid %z : f32
  %rn = arith.mulf %rg, %n_r : f32
  %pre = arith.addf %n_x, %rn : f32
  %n = math.tanh %pre : f32
  %omz = arith.subf %one, %zg : f32
  %a = arith.mulf %omz, %n : f32
  %zh = arith.mulf %zg, %h : f32
  %h1 = arith.addf %a, %zh : f32
  flashrnn.yield %h1 : f32
}

func.func @forward(%wx: tensor<16x1024x3x12x64xbf16>, %r: tensor<3x12x64x64xbf16>,
                   %b: tensor<4x12x64xbf16>)
    -> (tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>) {
  %states, %last = flashrnn.sequence @gru(%wx, %r, %b)
      : (tensor<16x1024x3x12x64xbf16>, tensor<3x12x64x64xbf16>, tensor<4x12x64xbf16>)
      -> (tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>)
  return %states, %last : tensor<1x16x1024x12x64xbf16>, tensor<1x16x12x64xbf16>
}
