// One head of 768 (bf16) is split over 32 CTAs that meet at a grid barrier
// each step: a fence, one atomic increment of the group's counter, a spin on
// an atomic read, a fence.
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 768 --inference-only -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx
// RUN: FileCheck %s --input-file=%t.pkg/manifest.json --check-prefix=MANIFEST
// CHECK: .visible .entry lstm_forward(
// CHECK: .maxntid 192, 1, 1
// The initial exchange of h_0, then the one in the time loop.
// CHECK: membar.gl
// CHECK-NEXT: add.s64
// CHECK-NEXT: atom.global.add.u32 {{.*}}, 1;
// CHECK-NEXT: $L__BB
// The atomic read (LLVM turns add 0 into or 0).
// CHECK-NEXT: atom.global.or.b32 {{.*}}, 0;
// CHECK: membar.gl
// CHECK: membar.gl
// CHECK-NEXT: atom.global.add.u32 {{.*}}, 1;
// CHECK-NEXT: $L__BB
// CHECK-NEXT: atom.global.or.b32 {{.*}}, 0;
// CHECK: membar.gl
// CHECK-NOT: atom.global.add
// MANIFEST: "cooperative": true,
// MANIFEST: "dynamic_shared_bytes": 196608,
// MANIFEST: "ctas_per_head": 32,
// MANIFEST: "grid_barrier": true,
