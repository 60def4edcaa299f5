// Every example parses, verifies, prints, and its output parses again to the
// same text.
// RUN: flashrnn-opt %examples/cifg_lstm.mlir -o %t.1.mlir
// RUN: flashrnn-opt %t.1.mlir -o %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir
// RUN: FileCheck %s --input-file=%t.1.mlir

// CHECK: flashrnn.cell @cifg_lstm gates(f: rec in bias, z: rec in bias, o: rec in bias)
// CHECK-NEXT: states(h = 0.000000e+00 recurrent, c = 0.000000e+00)
// CHECK-NEXT: body(%h: f32, %c: f32, %f: f32, %z: f32, %o: f32)
// CHECK: flashrnn.sequence @cifg_lstm({{.*}}) : (tensor<16x1024x3x12x64xbf16>, tensor<3x12x64x64xbf16>, tensor<3x12x64xbf16>)
