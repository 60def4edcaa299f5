// The LSTM example (12 heads of 64, bf16) compiles to one kernel per head and
// batch tile: one block barrier per step, no grid barrier. By default the
// recurrent matmul runs on tensor cores with R's fragments in registers, the
// h fragments come from shared memory by ldmatrix, and tanh/sigmoid use
// tanh.approx; --no-mma --precise-math gives the scalar kernel with R in
// shared memory and libdevice's tanh.
// RUN: flashrnn-compile %examples/lstm.mlir --inference-only -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx
// RUN: flashrnn-compile %examples/lstm.mlir --inference-only --no-mma --precise-math -o %t.scalar -q
// An odd number of k-tiles (DH 48: 3) loads the last one with ldmatrix.x2.
// RUN: flashrnn-compile %examples/lstm.mlir --inference-only --head-dim 48 -o %t.dh48 -q
// RUN: FileCheck %s --check-prefix=DH48 --input-file=%t.dh48/kernels.ptx
// DH48: .visible .entry lstm_forward(
// DH48: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// DH48: ldmatrix.sync.aligned.m8n8.x2.shared.b16
// DH48-NOT: ld.shared.b32
// DH48: mma.sync.aligned.m16n8k16
// RUN: FileCheck %s --check-prefix=SCALAR --input-file=%t.scalar/kernels.ptx
// The training forward stages its output rows (states; saved gate values and
// states in f32) in shared memory and writes them a step later as 16-byte
// runs; --no-staged-stores stores every value from its thread.
// RUN: flashrnn-compile %examples/lstm.mlir -o %t.train -q
// RUN: FileCheck %s --check-prefix=STAGED --input-file=%t.train/kernels.ptx
// RUN: flashrnn-compile %examples/lstm.mlir --no-staged-stores -o %t.direct -q
// RUN: FileCheck %s --check-prefix=DIRECT --input-file=%t.direct/kernels.ptx

// CHECK: .target sm_90
// CHECK: .visible .entry lstm_forward(
// CHECK: .maxntid 256, 1, 1
// CHECK: .minnctapersm 1
// CHECK: .shared .align 16 .b8 __dynamic_shmem__0
// CHECK-NOT: atom.
// CHECK-NOT: membar
// CHECK: bar.sync
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: tanh.approx.f32
// CHECK: cvt.rn.bf16.f32
// CHECK: st.global.b16
// CHECK-NOT: atom.
// CHECK-NOT: div.rn.f32

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

// STAGED: .visible .entry lstm_forward(
// STAGED-NOT: st.global.v4
// STAGED: .visible .entry lstm_forward_train(
// STAGED-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// STAGED-DAG: ld.shared.v4.b32 {{.*}}+{{[0-9]+}}];
// STAGED-DAG: st.global.v4.b32
// STAGED-DAG: st.shared.b16
// STAGED-DAG: st.shared.b32
// STAGED: .entry

// DIRECT: .visible .entry lstm_forward_train(
// DIRECT-NOT: st.global.v4
// DIRECT: st.global.b16
// DIRECT-NOT: st.global.v4
// DIRECT: st.global.b32
// DIRECT-NOT: st.global.v4
// DIRECT: .entry
