// The manifest (docs/PACKAGE.md) of the GRU example: gate rows, the split
// candidate with its recurrent bias in the last b row, and the body as a
// numbered program.
// RUN: flashrnn-compile %examples/gru.mlir --emit-manifest | FileCheck %s
// RUN: flashrnn-compile %examples/gru.mlir -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/manifest.json

// CHECK: "cell": "gru"
// CHECK: "counts": {
// CHECK-NEXT: "b_gates": 4,
// CHECK-NEXT: "r_gates": 3,
// CHECK-NEXT: "states": 1,
// CHECK-NEXT: "wx_gates": 3
// CHECK: "dtype": "bf16",
// CHECK-NEXT: "format": "flashrnn-package",
// CHECK: "name": "n",
// CHECK-NEXT: "r_index": 2,
// CHECK-NEXT: "rb_index": 3,
// CHECK-NEXT: "recurrent": true,
// CHECK-NEXT: "recurrent_bias": true,
// CHECK-NEXT: "split": true,
// CHECK-NEXT: "wx_index": 2
// CHECK: "head_dim": 64,
// CHECK: "program": {
// The arguments: h, r, z, then the candidate's two parts.
// CHECK: "kind": "state"
// CHECK: "index": 2,
// CHECK-NEXT: "kind": "gate",
// CHECK-NEXT: "part": "input"
// CHECK: "index": 2,
// CHECK-NEXT: "kind": "gate",
// CHECK-NEXT: "part": "recurrent"
// CHECK: "ops": [
// CHECK: "op": "arith.constant",
// CHECK-NEXT: "operands": [],
// CHECK-NEXT: "value": 1
// CHECK: "op": "flashrnn.sigmoid",
// CHECK-NEXT: "operands": [
// CHECK-NEXT: 1
// CHECK: "op": "math.tanh"
// CHECK: "results": [
// CHECK-NEXT: 14
// CHECK: "version": 1
