// Every example parses, verifies, prints, and its output parses again to the
// same text.
// RUN: flashrnn-opt %examples/slstm.mlir -o %t.1.mlir
// RUN: flashrnn-opt %t.1.mlir -o %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir
// RUN: FileCheck %s --input-file=%t.1.mlir

// CHECK: flashrnn.cell @slstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
// CHECK-NEXT: states(h = 0.000000e+00 recurrent, c = 0.000000e+00, n = 0.000000e+00, m = 0.000000e+00)
// CHECK-NEXT: body(%h: f32, %c: f32, %n: f32, %m: f32, %i: f32, %f: f32, %z: f32, %o: f32)
// CHECK: flashrnn.logsigmoid %f
// CHECK: arith.maximumf %i
// CHECK: flashrnn.sequence @slstm({{.*}}) -> (tensor<4x16x1024x12x64xbf16>, tensor<4x16x12x64xbf16>)
