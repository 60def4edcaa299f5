// One LSTM head of 256 (bf16) on sm_90: the tensor-core forward over 4 CTAs
// (inference; 8 for training) that form one thread-block cluster. The PTX
// asks for the cluster shape (.reqnctapercluster), h goes to every CTA's
// shared memory through mapa and st.shared::cluster, and the step ends in one
// cluster barrier; no grid barrier, no cooperative launch. With
// --no-clusters, and on sm_80, the same split uses the grid barrier.
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 256 --inference-only -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx
// RUN: FileCheck %s --input-file=%t.pkg/manifest.json --check-prefix=MANIFEST
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 256 --inference-only --no-clusters -o %t.grid -q
// RUN: FileCheck %s --input-file=%t.grid/kernels.ptx --check-prefix=GRID
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 256 --inference-only --chip sm_80 -o %t.sm80 -q
// RUN: FileCheck %s --input-file=%t.sm80/kernels.ptx --check-prefix=GRID
// CHECK: .visible .entry lstm_forward(
// CHECK: .explicitcluster
// CHECK-NEXT: .reqnctapercluster 4, 1, 1
// The barrier at the start, before any CTA writes into another.
// CHECK: barrier.cluster.arrive.aligned;
// CHECK-NEXT: barrier.cluster.wait.aligned;
// CHECK: mapa.shared::cluster.u64 {{.*}}, 0;
// CHECK: st.shared::cluster.b16
// CHECK: mapa.shared::cluster.u64 {{.*}}, 3;
// CHECK: barrier.cluster.arrive.aligned;
// CHECK-NEXT: barrier.cluster.wait.aligned;
// CHECK-NOT: atom.global
// MANIFEST: "cooperative": false,
// MANIFEST: "ctas_per_head": 4,
// MANIFEST: "grid_barrier": false,
// GRID-NOT: reqnctapercluster
// GRID: atom.global.add.u32
// GRID-NOT: st.shared::cluster
