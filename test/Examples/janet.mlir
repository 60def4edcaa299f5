// Every example parses, verifies, prints, and its output parses again to the
// same text.
// RUN: flashrnn-opt %examples/janet.mlir -o %t.1.mlir
// RUN: flashrnn-opt %t.1.mlir -o %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir
// RUN: FileCheck %s --input-file=%t.1.mlir

// CHECK: flashrnn.cell @janet gates(f: rec in bias, z: rec in bias)
// CHECK-NEXT: states(h = 0.000000e+00 recurrent) constants(beta = 1.000000e+00)
// CHECK-NEXT: body(%h: f32, %f: f32, %z: f32, %beta: f32)
// CHECK: arith.subf %f, %beta
// CHECK: flashrnn.sequence @janet({{.*}}) : (tensor<16x1024x2x12x64xbf16>
