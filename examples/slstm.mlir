// sLSTM (xLSTM, Beck et al. 2024): exponential input gate, forget gate in
// log space, stabiliser state m and normaliser state n. Gate order i, f, z, o.
//
//   logf = logsigmoid(f)                 sigmoid forget gate, in log space
//   m'   = max(i, logf + m)              stabiliser
//   ig   = exp(i - m')                   stabilised exponential input gate
//   fg   = exp(logf + m - m')            stabilised forget gate
//   c'   = fg * c + ig * tanh(z)
//   n'   = fg * n + ig
//   h'   = sigmoid(o) * c' / n'
//
// States (h, c, n, m), h feeds the recurrence. m cancels from h', so h' is the
// unstabilised sigmoid(o) * C/N. Size: B=16, T=1024, 12 heads of 64.
flashrnn.cell @slstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0, n = 0.0, m = 0.0)
    body(%h: f32, %c: f32, %n: f32, %m: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  %logf = flashrnn.logsigmoid %f : f32
  %lfm = arith.addf %logf, %m : f32
  %m1 = arith.maximumf %i, %lfm : f32
  %im = arith.subf %i, %m1 : f32
  %ig = math.exp %im : f32
  %fm = arith.subf %lfm, %m1 : f32
  %fg = math.exp %fm : f32
  %zg = math.tanh %z : f32
  %fc = arith.mulf %fg, %c : f32
  %iz = arith.mulf %ig, %zg : f32
  %c1 = arith.addf %fc, %iz : f32
  %fn = arith.mulf %fg, %n : f32
  %n1 = arith.addf %fn, %ig : f32
  %og = flashrnn.sigmoid %o : f32
  %cn = arith.divf %c1, %n1 : f32
  %h1 = arith.mulf %og, %cn : f32
  flashrnn.yield %h1, %c1, %n1, %m1 : f32, f32, f32, f32
}

func.func @forward(%wx: tensor<16x1024x4x12x64xbf16>, %r: tensor<4x12x64x64xbf16>,
                   %b: tensor<4x12x64xbf16>)
    -> (tensor<4x16x1024x12x64xbf16>, tensor<4x16x12x64xbf16>) {
  %states, %last = flashrnn.sequence @slstm(%wx, %r, %b)
      : (tensor<16x1024x4x12x64xbf16>, tensor<4x12x64x64xbf16>, tensor<4x12x64xbf16>)
      -> (tensor<4x16x1024x12x64xbf16>, tensor<4x16x12x64xbf16>)
  return %states, %last : tensor<4x16x1024x12x64xbf16>, tensor<4x16x12x64xbf16>
}
