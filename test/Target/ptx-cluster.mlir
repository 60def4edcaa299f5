// One LSTM head of 256 (bf16) on sm_90: the tensor-core forward over 4 CTAs
// (inference; 8 for training) that form one thread-block cluster. The PTX
// asks for the cluster shape (.reqnctapercluster). By default h crosses the
// cluster asynchronously: thread 0 initialises one mbarrier per slot and
// opens its first phase expecting the other 3 CTAs' blocks (3 x 8 rows x 64
// units x 2 B = 3072 bytes), a cluster barrier lets the CTAs start, and
// every step writes the own block with st.async in 16-byte runs into the
// other CTAs and waits on its own mbarrier (acquire at cluster scope); no
// cluster barrier per step. With --cluster-exchange barrier, h goes to
// every CTA's shared memory through mapa and st.shared::cluster, and the
// step ends in one cluster barrier. Neither has a grid barrier or a
// cooperative launch. With --no-clusters, and on sm_80, the same split uses
// the grid barrier.
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 256 --inference-only -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx
// RUN: FileCheck %s --input-file=%t.pkg/manifest.json --check-prefix=MANIFEST
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 256 --inference-only --cluster-exchange barrier -o %t.barrier -q
// RUN: FileCheck %s --input-file=%t.barrier/kernels.ptx --check-prefix=BARRIER
// RUN: FileCheck %s --input-file=%t.barrier/manifest.json --check-prefix=MANIFEST
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 256 --inference-only --no-clusters -o %t.grid -q
// RUN: FileCheck %s --input-file=%t.grid/kernels.ptx --check-prefix=GRID
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 256 --inference-only --chip sm_80 -o %t.sm80 -q
// RUN: FileCheck %s --input-file=%t.sm80/kernels.ptx --check-prefix=GRID
// RUN: not flashrnn-compile %examples/lstm.mlir --head-dim 256 --cluster-exchange fast -o %t.bad -q 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: cluster-exchange must be 'barrier' or 'async', got 'fast'
// st.async needs PTX ISA 8.1; without it (BARRIER, GRID) the PTX stays 8.0.
// CHECK: .version 8.1
// CHECK: .visible .entry lstm_forward(
// CHECK: .explicitcluster
// CHECK-NEXT: .reqnctapercluster 4, 1, 1
// CHECK: mbarrier.init.shared::cta.b64 [[BAR0:\[%rd[0-9]+\]]], 1;
// CHECK: mbarrier.init.shared::cta.b64 {{\[%rd[0-9]+\]}}, 1;
// CHECK: fence.mbarrier_init.release.cluster;
// CHECK: bar.sync 0;
// CHECK: mov.b32 [[TX:%r[0-9]+]], 3072;
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64 state, [[BAR0]], [[TX]];
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64 state, {{.*}}, [[TX]];
// The barrier at the start, before any CTA writes into another.
// CHECK: barrier.cluster.arrive.aligned;
// CHECK-NEXT: barrier.cluster.wait.aligned;
// CHECK-NOT: barrier.cluster
// CHECK: mapa.shared::cluster.u64
// CHECK: st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.b32
// CHECK-NOT: barrier.cluster
// CHECK: mbarrier.try_wait.parity.acquire.cluster.shared::cta.b64
// CHECK-NOT: barrier.cluster
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64
// In the time loop: the step's st.async, wait and next phase, no cluster
// barrier until the one at the end.
// CHECK: st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.b32
// CHECK-NOT: barrier.cluster
// CHECK: mbarrier.try_wait.parity.acquire.cluster.shared::cta.b64
// CHECK-NOT: barrier.cluster
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64
// CHECK: barrier.cluster.arrive.aligned;
// CHECK-NEXT: barrier.cluster.wait.aligned;
// CHECK-NOT: atom.global
// BARRIER: .version 8.0
// BARRIER: .visible .entry lstm_forward(
// BARRIER: .explicitcluster
// BARRIER-NEXT: .reqnctapercluster 4, 1, 1
// BARRIER: barrier.cluster.arrive.aligned;
// BARRIER-NEXT: barrier.cluster.wait.aligned;
// BARRIER: mapa.shared::cluster.u64 {{.*}}, 0;
// BARRIER: st.shared::cluster.b16
// BARRIER: mapa.shared::cluster.u64 {{.*}}, 3;
// BARRIER: barrier.cluster.arrive.aligned;
// BARRIER-NEXT: barrier.cluster.wait.aligned;
// BARRIER-NOT: st.async
// BARRIER-NOT: atom.global
// MANIFEST: "cooperative": false,
// MANIFEST: "ctas_per_head": 4,
// MANIFEST: "grid_barrier": false,
// GRID: .version 8.0
// GRID-NOT: reqnctapercluster
// GRID: atom.global.add.u32
// GRID-NOT: st.shared::cluster
// GRID-NOT: st.async
