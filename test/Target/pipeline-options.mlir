// The flashrnn-to-ptx pipeline of flashrnn-opt takes the same choices as
// flashrnn-compile: by default the forward's matmul is on tensor cores and
// tanh/sigmoid use tanh.approx; mma=false and approximate-math=false give the
// scalar kernel with libdevice's tanh.
// RUN: flashrnn-opt %examples/lstm.mlir -flashrnn-to-ptx="training=false" > %t.default
// RUN: FileCheck %s --input-file=%t.default
// RUN: FileCheck %s --check-prefix=TANH --input-file=%t.default
// RUN: flashrnn-opt %examples/lstm.mlir -flashrnn-to-ptx="training=false mma=false approximate-math=false" > %t.scalar
// RUN: FileCheck %s --check-prefix=SCALAR --input-file=%t.scalar
// RUN: not grep -E "mma.sync|tanh.approx" %t.scalar

// CHECK: gpu.binary @flashrnn_kernels
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// TANH: gpu.binary @flashrnn_kernels
// TANH-SAME: tanh.approx.f32

// SCALAR: gpu.binary @flashrnn_kernels
// SCALAR-SAME: fma.rn.f32
