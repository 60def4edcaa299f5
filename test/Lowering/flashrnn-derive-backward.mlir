// RUN: flashrnn-opt %s -split-input-file -flashrnn-derive-backward | FileCheck %s

// LSTM: (h, c, i, f, z, o, dh', dc') -> (dh, dc, di, df, dz, do).
// h does not enter the body, so its direct gradient is 0; dc = dc'_total * f
// where dc'_total = dc' + dh' * o * (1 - tanh(c')^2).
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
// CHECK-LABEL: func.func private @lstm_adjoint(
// CHECK-SAME: %[[H:[^:]*]]: f32, %[[C:[^:]*]]: f32, %[[I:[^:]*]]: f32, %[[F:[^:]*]]: f32, %[[Z:[^:]*]]: f32, %[[O:[^:]*]]: f32, %[[DH:[^:]*]]: f32, %[[DC:[^:]*]]: f32)
// CHECK-SAME: -> (f32, f32, f32, f32, f32, f32) attributes {flashrnn.adjoint_of = @lstm, flashrnn.saves = ["states", "gate_values"]}
// The body is recomputed from the saved states and gate values.
// CHECK: %[[IG:.*]] = flashrnn.sigmoid %[[I]]
// CHECK: %[[FG:.*]] = flashrnn.sigmoid %[[F]]
// CHECK: %[[ZG:.*]] = math.tanh %[[Z]]
// CHECK: %[[OG:.*]] = flashrnn.sigmoid %[[O]]
// CHECK: %[[TC:.*]] = math.tanh
// The h' = o * tanh(c') rule, then tanh' = 1 - tanh^2, then the c' sum.
// CHECK: %[[DO_:.*]] = arith.mulf %[[DH]], %[[TC]]
// CHECK: %[[DTC:.*]] = arith.mulf %[[DH]], %[[OG]]
// CHECK: %[[TC2:.*]] = arith.mulf %[[TC]], %[[TC]]
// CHECK: %[[ONE:.*]] = arith.constant 1.0
// CHECK: %[[D1:.*]] = arith.subf %[[ONE]], %[[TC2]]
// CHECK: %[[DC1:.*]] = arith.mulf %[[DTC]], %[[D1]]
// CHECK: %[[DCT:.*]] = arith.addf %[[DC]], %[[DC1]]
// CHECK: %[[DCPREV:.*]] = arith.mulf %[[DCT]], %[[FG]]
// CHECK: %[[ZERO:.*]] = arith.constant 0.0
// CHECK: return %[[ZERO]], %[[DCPREV]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32, f32, f32, f32

// -----

// GRU: h enters the body (z * h), so dh = dh' * z; the split candidate gets
// two adjoints, for its input part and for its recurrent part (times r).
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
// CHECK-LABEL: func.func private @gru_adjoint(
// CHECK-SAME: %[[H:[^:]*]]: f32, %[[R:[^:]*]]: f32, %[[Z:[^:]*]]: f32, %[[NX:[^:]*]]: f32, %[[NR:[^:]*]]: f32, %[[DH:[^:]*]]: f32)
// CHECK-SAME: -> (f32, f32, f32, f32, f32)
// CHECK: %[[RG:.*]] = flashrnn.sigmoid %[[R]]
// CHECK: %[[ZG:.*]] = flashrnn.sigmoid %[[Z]]
// CHECK: %[[DHPREV:.*]] = arith.mulf %[[DH]], %[[ZG]]
// The candidate's input part gets d(pre); its recurrent part d(pre) * r.
// CHECK: %[[DNR:.*]] = arith.mulf %[[DPRE:[^,]*]], %[[RG]]
// CHECK: return %[[DHPREV]], %{{.*}}, %{{.*}}, %[[DPRE]], %[[DNR]] : f32, f32, f32, f32, f32

// -----

// stop_gradient blocks the flow: the argument behind it gets a zero adjoint.
flashrnn.cell @stopped gates(g: rec in bias) states(h = 0.0 recurrent)
    body(%h: f32, %g: f32) {
  %s = flashrnn.stop_gradient %g : f32
  %0 = arith.mulf %s, %h : f32
  flashrnn.yield %0 : f32
}
// CHECK-LABEL: func.func private @stopped_adjoint(
// CHECK-SAME: %[[H:[^:]*]]: f32, %[[G:[^:]*]]: f32, %[[DH:[^:]*]]: f32)
// CHECK: %[[DHPREV:.*]] = arith.mulf %[[DH]], %{{.*}}
// CHECK: %[[ZERO:.*]] = arith.constant 0.0
// CHECK: return %[[DHPREV]], %[[ZERO]] : f32, f32
