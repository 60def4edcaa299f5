// The LSTM example (12 heads of 64) compiles to one kernel per head and batch
// tile: one block barrier per step, no grid barrier, R read from shared memory.
// RUN: flashrnn-compile %examples/lstm.mlir --inference-only -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx
// CHECK: .target sm_90
// CHECK: .visible .entry lstm_forward(
// CHECK: .maxntid 512, 1, 1
// CHECK: .shared .align 16 .b8 __dynamic_shmem__0
// CHECK-NOT: atom.
// CHECK-NOT: membar
// CHECK: bar.sync
// CHECK: ld.shared
// CHECK: fma.rn.f32
// CHECK: cvt.rn.bf16.f32
// CHECK: st.global.b16
// CHECK-NOT: atom.
