// One LSTM head of 640 (bf16) on sm_90: a non-portable cluster of 16 CTAs
// (PTX ISA 8.1 for st.async), 320 threads, 9 of each K slice's 20 k-tiles
// of R in shared memory. Before the time loop each thread stores those
// fragments (16-byte st.shared.v4); in the loop it reads them back with
// 16-byte ld.shared.v4 beside its register fragments' mma.sync, and h
// crosses the cluster by st.async; no grid barrier, no cooperative launch.
// The runtime opts the kernel in to the non-portable size
// (Runtime/cuda-fake-cluster.test).
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 640 --inference-only -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx
// RUN: FileCheck %s --input-file=%t.pkg/manifest.json --check-prefix=MANIFEST
// CHECK: .version 8.1
// CHECK: .visible .entry lstm_forward(
// CHECK: .maxntid 320, 1, 1
// CHECK: .explicitcluster
// CHECK-NEXT: .reqnctapercluster 16, 1, 1
// CHECK: barrier.cluster.arrive.aligned;
// CHECK: st.shared.v4.b32
// h two k-tiles at a time (10 ldmatrix.x4 for 20 k-tiles).
// CHECK: ldmatrix.sync.aligned.m8n8.x4
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: ld.shared.v4.b32
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.b32
// CHECK: mbarrier.try_wait.parity.acquire.cluster.shared::cta.b64
// CHECK-NOT: atom.global
// RUN: test $(grep -c ldmatrix.sync.aligned.m8n8.x4 %t.pkg/kernels.ptx) -eq 10
// MANIFEST: "cooperative": false,
// MANIFEST: "ctas_per_head": 16,
// MANIFEST: "grid_barrier": false,
// MANIFEST: "threads": 320,
