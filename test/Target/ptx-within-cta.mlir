// The LSTM example (12 heads of 64, bf16) compiles to one kernel per head and
// batch tile: one block barrier per step, no grid barrier. By default the
// recurrent matmul runs on tensor cores with R's fragments in registers, the
// h fragments come from shared memory as 32-bit pairs, and tanh/sigmoid use
// tanh.approx; --no-mma --precise-math gives the scalar kernel with R in
// shared memory and libdevice's tanh. The step's states leave through the
// shared-memory stage as 16-byte runs (a vector load from shared memory, a
// vector store to global memory); --no-staged-stores stores them straight
// from each thread, 2 bytes at a time.
// RUN: flashrnn-compile %examples/lstm.mlir --inference-only -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx
// RUN: FileCheck %s --check-prefix=CELL --input-file=%t.pkg/kernels.ptx
// RUN: flashrnn-compile %examples/lstm.mlir --inference-only --no-staged-stores -o %t.direct -q
// RUN: FileCheck %s --check-prefix=DIRECT --input-file=%t.direct/kernels.ptx
// RUN: flashrnn-compile %examples/lstm.mlir --inference-only --no-mma --precise-math -o %t.scalar -q
// RUN: FileCheck %s --check-prefix=SCALAR --input-file=%t.scalar/kernels.ptx

// CHECK: .target sm_90
// CHECK: .visible .entry lstm_forward(
// CHECK: .maxntid 256, 1, 1
// CHECK: .minnctapersm 1
// CHECK: .shared .align 16 .b8 __dynamic_shmem__0
// CHECK-NOT: atom.
// CHECK-NOT: membar
// CHECK: bar.sync
// CHECK: ld.shared.b32
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: ld.shared.v4.b32
// CHECK-NEXT: st.global.v4.b32
// CHECK-NOT: atom.
// CHECK-NOT: div.rn.f32

// CELL: .visible .entry lstm_forward(
// CELL: tanh.approx.f32
// CELL: cvt.rn.bf16.f32
// CELL: st.shared.b16

// DIRECT: .visible .entry lstm_forward(
// DIRECT-NOT: st.global.v4
// DIRECT: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// DIRECT-NOT: st.global.v4
// DIRECT: st.global.b16
// DIRECT-NOT: st.global.v4
// DIRECT: ret;

// SCALAR: .visible .entry lstm_forward(
// SCALAR: .maxntid 512, 1, 1
// SCALAR-NOT: atom.
// SCALAR-NOT: membar
// SCALAR: bar.sync
// SCALAR: ld.shared
// SCALAR: fma.rn.f32
// SCALAR-NOT: mma.sync
// SCALAR-NOT: tanh.approx
// SCALAR: cvt.rn.bf16.f32
// SCALAR: st.global.b16
// SCALAR-NOT: atom.
