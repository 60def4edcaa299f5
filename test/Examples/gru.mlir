// Every example parses, verifies, prints, and its output parses again to the
// same text.
// RUN: flashrnn-opt %examples/gru.mlir -o %t.1.mlir
// RUN: flashrnn-opt %t.1.mlir -o %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir
// RUN: FileCheck %s --input-file=%t.1.mlir

// CHECK: flashrnn.cell @gru gates(r: rec in bias, z: rec in bias, n: rec in bias split rbias)
// CHECK-NEXT: states(h = 0.000000e+00 recurrent)
// CHECK-NEXT: body(%h: f32, %r: f32, %z: f32, %n_x: f32, %n_r: f32)
// CHECK: flashrnn.sequence @gru({{.*}}) : (tensor<16x1024x3x12x64xbf16>, tensor<3x12x64x64xbf16>, tensor<4x12x64xbf16>)
