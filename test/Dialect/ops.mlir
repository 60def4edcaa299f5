// RUN: flashrnn-opt %s | FileCheck %s
// RUN: flashrnn-opt %s | flashrnn-opt | FileCheck %s
// RUN: flashrnn-opt %s -mlir-print-op-generic | flashrnn-opt | FileCheck %s

// Constants become trailing body arguments named after them; split gates
// give two arguments named <gate>_x and <gate>_r.
// CHECK-LABEL: flashrnn.cell @all_features
// CHECK-SAME: gates(a: rec in bias, g: rec in bias split rbias, p: rec)
// CHECK-NEXT: states(h = 0.000000e+00 recurrent, c = -1.500000e+00)
// CHECK-SAME: constants(eps = 9.9999999999999995E-7, "weird name" = 2.000000e+00)
// CHECK-NEXT: body(%h: f32, %c: f32, %a: f32, %g_x: f32, %g_r: f32, %p: f32, %eps: f32, %weird_name: f32)
// CHECK: flashrnn.sigmoid %a : f32
// CHECK: flashrnn.logsigmoid
// CHECK: flashrnn.softplus
// CHECK: flashrnn.stop_gradient
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK: flashrnn.yield %{{.*}}, %{{.*}} : f32, f32
flashrnn.cell @all_features gates(a: rec in bias, g: rec in bias split rbias, p: rec)
    states(h = 0.0 recurrent, c = -1.5) constants(eps = 1.0e-6, "weird name" = 2.0)
    body(%h: f32, %c: f32, %a: f32, %gx: f32, %gr: f32, %p: f32, %eps: f32, %w: f32) {
  %0 = flashrnn.sigmoid %a : f32
  %1 = flashrnn.logsigmoid %gx : f32
  %2 = flashrnn.softplus %gr : f32
  %3 = flashrnn.stop_gradient %p : f32
  %4 = arith.cmpf olt, %0, %1 : f32
  %5 = arith.select %4, %2, %3 : f32
  %6 = arith.addf %5, %eps : f32
  %7 = arith.mulf %6, %w : f32
  %8 = math.sqrt %7 : f32
  %9 = math.log1p %8 : f32
  %10 = math.absf %9 : f32
  %11 = arith.maximumf %10, %c : f32
  %12 = arith.minimumf %11, %h : f32
  %13 = arith.negf %12 : f32
  %14 = arith.divf %13, %eps : f32
  %15 = math.exp %14 : f32
  %16 = math.log %15 : f32
  flashrnn.yield %15, %16 : f32, f32
}

// Dynamic batch, time and heads; optional s0; f16 and f32.
// CHECK-LABEL: func.func @dynamic
// CHECK: flashrnn.sequence @all_features(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<?x?x2x?x32xf16>, tensor<3x?x32x32xf16>, tensor<3x?x32xf16>, tensor<2x?x?x32xf16>) -> (tensor<2x?x?x?x32xf16>, tensor<2x?x?x32xf16>)
// CHECK: flashrnn.sequence @all_features(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<4x8x2x3x32xf32>
func.func @dynamic(%wx: tensor<?x?x2x?x32xf16>, %r: tensor<3x?x32x32xf16>,
                   %b: tensor<3x?x32xf16>, %s0: tensor<2x?x?x32xf16>,
                   %wx2: tensor<4x8x2x3x32xf32>, %r2: tensor<3x3x32x32xf32>,
                   %b2: tensor<3x3x32xf32>) {
  %s, %l = flashrnn.sequence @all_features(%wx, %r, %b, %s0)
      : (tensor<?x?x2x?x32xf16>, tensor<3x?x32x32xf16>, tensor<3x?x32xf16>, tensor<2x?x?x32xf16>)
      -> (tensor<2x?x?x?x32xf16>, tensor<2x?x?x32xf16>)
  %s2, %l2 = flashrnn.sequence @all_features(%wx2, %r2, %b2)
      : (tensor<4x8x2x3x32xf32>, tensor<3x3x32x32xf32>, tensor<3x3x32xf32>)
      -> (tensor<2x4x8x3x32xf32>, tensor<2x4x3x32xf32>)
  return
}

// The tile-level exchange op: one value into [2, rows, DH], K values into
// [2, rows, K, DH].
// CHECK-LABEL: func.func @exchange
// CHECK: flashrnn.exchange %{{.*}}, %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] epoch %{{.*}} : memref<2x8x2x64xf32, #gpu.address_space<workgroup>>
// CHECK: flashrnn.exchange %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] epoch %{{.*}} : memref<2x8x64xf32>
// Two rows per thread, each as hi and lo parts, from masked threads only.
// CHECK: flashrnn.exchange %{{.*}}, %{{.*}} into %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] epoch %{{.*}} if %{{.*}} {parts = 2 : i64, rows = 2 : i64} : memref<2x4x4x72xbf16>
func.func @exchange(%v: f32, %w: f32, %buf: memref<2x8x2x64xf32, #gpu.address_space<workgroup>>, %one: memref<2x8x64xf32>, %pairs: memref<2x4x4x72xbf16>, %m: i1, %i: index) {
  flashrnn.exchange %v, %w into %buf[%i, %i, %i] epoch %i : memref<2x8x2x64xf32, #gpu.address_space<workgroup>>
  flashrnn.exchange %v into %one[%i, %i, %i] epoch %i : memref<2x8x64xf32>
  flashrnn.exchange %v, %w into %pairs[%i, %i, %i] epoch %i if %m {rows = 2, parts = 2} : memref<2x4x4x72xbf16>
  return
}
