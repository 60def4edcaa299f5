// One head of 768 (bf16), inference, split over 48 CTAs: with
// --tagged-exchange h crosses the CTAs as tagged words. At the start each thread clears its CTA's words
// (2 slots x 8 rows x 16 units = 256 = one per thread), then the one grid
// barrier of the kernel (fence, atomic increment, spin, fence). In the time
// loop (and for h_0) the exchange is two volatile 32-bit stores per masked
// thread (its two rows) and a poll of 6 volatile 16-byte loads per thread (8
// rows x 768 / 4 / 256), all issued before any is tested, with a trap for a
// peer that never arrives; no further atomic or fence.
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 768 --inference-only --tagged-exchange -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx
// RUN: FileCheck %s --input-file=%t.pkg/manifest.json --check-prefix=MANIFEST
// CHECK: .visible .entry lstm_forward(
// CHECK: .maxntid 256, 1, 1
// CHECK: st.global.b32 [{{.*}}], 0;
// CHECK: bar.sync 0;
// CHECK: membar.gl;
// CHECK: atom.global.add.u32 {{.*}}, 1;
// CHECK-NEXT: $L__BB
// CHECK-NEXT: atom.global.or.b32 {{.*}}, 0;
// CHECK: membar.gl;
// CHECK-NOT: atom.global
// CHECK-NOT: membar
// The exchange of h_0.
// CHECK: st.volatile.global.b32
// CHECK: st.volatile.global.b32
// CHECK-COUNT-6: ld.volatile.global.v4.b32
// CHECK-NOT: ld.volatile
// CHECK: trap;
// The exchange in the time loop.
// CHECK: st.volatile.global.b32
// CHECK: st.volatile.global.b32
// CHECK-COUNT-6: ld.volatile.global.v4.b32
// CHECK-NOT: ld.volatile
// CHECK: trap;
// CHECK-NOT: atom.global
// CHECK-NOT: membar
// CHECK-NOT: ld.volatile
// CHECK: ret;
// MANIFEST: "cooperative": true,
// MANIFEST: "ctas_per_head": 48,
// MANIFEST: "grid_barrier": true,
