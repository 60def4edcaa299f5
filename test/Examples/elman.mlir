// Every example parses, verifies, prints, and its output parses again to the
// same text.
// RUN: flashrnn-opt %examples/elman.mlir -o %t.1.mlir
// RUN: flashrnn-opt %t.1.mlir -o %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir
// RUN: FileCheck %s --input-file=%t.1.mlir

// CHECK: flashrnn.cell @elman gates(g: rec in bias)
// CHECK-NEXT: states(h = 0.000000e+00 recurrent)
// CHECK-NEXT: body(%h: f32, %g: f32)
// CHECK-NEXT: math.tanh %g : f32
// CHECK: flashrnn.sequence @elman({{.*}}) : (tensor<16x1024x1x12x64xbf16>
