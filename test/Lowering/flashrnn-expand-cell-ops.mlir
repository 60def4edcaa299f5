// RUN: flashrnn-opt %s -flashrnn-expand-cell-ops | FileCheck %s

// CHECK-LABEL: func.func @sigmoid
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[NEG:.*]] = arith.negf %[[X]]
// CHECK: %[[E:.*]] = math.exp %[[NEG]]
// CHECK: %[[D:.*]] = arith.addf %[[E]], %[[ONE]]
// CHECK: %[[R:.*]] = arith.divf %[[ONE]], %[[D]]
// CHECK: return %[[R]]
func.func @sigmoid(%x: f32) -> f32 {
  %0 = flashrnn.sigmoid %x : f32
  return %0 : f32
}

// softplus(x) = max(x, 0) + log1p(exp(-|x|))
// CHECK-LABEL: func.func @softplus
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[POS:.*]] = arith.maximumf %[[X]], %[[ZERO]]
// CHECK: %[[ABS:.*]] = math.absf %[[X]]
// CHECK: %[[NEG:.*]] = arith.negf %[[ABS]]
// CHECK: %[[E:.*]] = math.exp %[[NEG]]
// CHECK: %[[L:.*]] = math.log1p %[[E]]
// CHECK: %[[R:.*]] = arith.addf %[[POS]], %[[L]]
// CHECK: return %[[R]]
func.func @softplus(%x: f32) -> f32 {
  %0 = flashrnn.softplus %x : f32
  return %0 : f32
}

// logsigmoid(x) = min(x, 0) - log1p(exp(-|x|))
// CHECK-LABEL: func.func @logsigmoid
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK: %[[NEGPART:.*]] = arith.minimumf %[[X]], %{{.*}}
// CHECK: %[[L:.*]] = math.log1p
// CHECK: %[[R:.*]] = arith.subf %[[NEGPART]], %[[L]]
// CHECK: return %[[R]]
func.func @logsigmoid(%x: f32) -> f32 {
  %0 = flashrnn.logsigmoid %x : f32
  return %0 : f32
}

// CHECK-LABEL: func.func @stop_gradient
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK-NEXT: return %[[X]]
func.func @stop_gradient(%x: f32) -> f32 {
  %0 = flashrnn.stop_gradient %x : f32
  return %0 : f32
}
