// Every example parses, verifies, prints, and its output parses again to the
// same text.
// RUN: flashrnn-opt %examples/ligru.mlir -o %t.1.mlir
// RUN: flashrnn-opt %t.1.mlir -o %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir
// RUN: FileCheck %s --input-file=%t.1.mlir

// CHECK: flashrnn.cell @ligru gates(z: rec in bias, n: rec in bias)
// CHECK-NEXT: states(h = 0.000000e+00 recurrent)
// CHECK-NEXT: body(%h: f32, %z: f32, %n: f32)
// CHECK: arith.maximumf %n
// CHECK: flashrnn.sequence @ligru({{.*}}) : (tensor<16x1024x2x12x64xbf16>
