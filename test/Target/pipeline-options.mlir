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
// The planner's options pass through too: LSTM's training kernels carry h
// and dg in one part by default (recurrentParts = 1 on both schedules), in
// two (the attribute's default, not printed) with training-h-parts=2
// backward-dg-parts=2.
// RUN: flashrnn-opt %examples/lstm.mlir -flashrnn-to-ptx > %t.train
// RUN: FileCheck %s --check-prefix=ONE --input-file=%t.train
// RUN: flashrnn-opt %examples/lstm.mlir -flashrnn-to-ptx="training-h-parts=2 backward-dg-parts=2" > %t.hilo
// RUN: FileCheck %s --check-prefix=HILO --input-file=%t.hilo
// backward-row-split=2 gives LSTM 64's backward two warps per group of units
// (256 threads; the planner's default keeps one, 128).
// RUN: flashrnn-opt %examples/lstm.mlir -flashrnn-to-ptx="backward-row-split=2" | FileCheck %s --check-prefix=ROWS

// CHECK: gpu.binary @flashrnn_kernels
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// TANH: gpu.binary @flashrnn_kernels
// TANH-SAME: tanh.approx.f32

// SCALAR: gpu.binary @flashrnn_kernels
// SCALAR-SAME: fma.rn.f32

// ONE: flashrnn.backward_schedule = #flashrnn.schedule<{{[^>]*}}recurrentParts = 1>
// ONE-SAME: flashrnn.schedule = #flashrnn.schedule<{{[^>]*}}recurrentParts = 1>
// HILO: flashrnn.backward_schedule = #flashrnn.schedule<{{[^>]*}}stagedStores = true>
// HILO-SAME: flashrnn.schedule = #flashrnn.schedule<{{[^>]*}}stagedStores = true>
// ROWS: flashrnn.backward_schedule = #flashrnn.schedule<{{[^>]*}}threads = 256, {{[^>]*}}rowSplit = 2>
