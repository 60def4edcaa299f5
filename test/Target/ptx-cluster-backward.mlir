// The training pass of an LSTM head of 256 (bf16) on sm_90: the backward is
// split over 8 CTAs that form one thread-block cluster. Each CTA's slice 0
// writes dg of its own units into its own shared rows; after one cluster
// barrier every thread pulls 16-byte runs of the other CTAs' units out of
// their shared memory (mapa + ld.shared::cluster), never its own. sLSTM's
// adjoint leaves no registers for the pull's addresses: its backward keeps
// the grid barrier.
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 256 -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx
// RUN: flashrnn-compile %examples/slstm.mlir --head-dim 256 -o %t.slstm -q
// RUN: FileCheck %s --input-file=%t.slstm/kernels.ptx --check-prefix=SLSTM
// CHECK: .visible .entry lstm_backward(
// CHECK: .reqnctapercluster 8, 1, 1
// CHECK: barrier.cluster.arrive.aligned;
// CHECK-NEXT: barrier.cluster.wait.aligned;
// CHECK: mapa.shared::cluster.u64
// CHECK-NEXT: ld.shared::cluster.v4.b32
// The barrier before the CTA exits, while others may still read it.
// CHECK: barrier.cluster.arrive.aligned;
// CHECK-NEXT: barrier.cluster.wait.aligned;
// CHECK-NOT: atom.global
// CHECK: .entry lstm_backward_reduce(
// SLSTM: .visible .entry slstm_backward(
// SLSTM-NOT: reqnctapercluster
// SLSTM: atom.global.add.u32
// SLSTM-NOT: ld.shared::cluster
// SLSTM: .entry slstm_backward_reduce(
