// One head of 768 (bf16) is split over CTAs that meet at a grid barrier
// each step: a fence, one atomic increment of the group's counter, a spin on
// an atomic read, a fence. The tensor-core forward (default) uses 48 CTAs of
// 256 threads (4 K slices: the planner's kMinGridThreads) and gathers h back
// as 16-byte loads of four f32 units, 8 rows x 768 / 4 / 256 = 6 per thread; the
// scalar forward (--no-mma) 32 CTAs with R in shared memory. (With
// --tagged-exchange the tensor-core forward has no barrier per step:
// ptx-tagged-exchange.mlir.)
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 768 --inference-only -o %t.pkg -q
// RUN: FileCheck %s --input-file=%t.pkg/kernels.ptx --check-prefixes=CHECK,MMA
// RUN: FileCheck %s --input-file=%t.pkg/manifest.json --check-prefix=MANIFEST
// RUN: flashrnn-compile %examples/lstm.mlir --head-dim 768 --inference-only --no-mma -o %t.scalar -q
// RUN: FileCheck %s --input-file=%t.scalar/kernels.ptx --check-prefixes=CHECK,SCALAR
// RUN: FileCheck %s --input-file=%t.scalar/manifest.json --check-prefix=SCALAR-MANIFEST
// CHECK: .visible .entry lstm_forward(
// MMA: .maxntid 256, 1, 1
// SCALAR: .maxntid 192, 1, 1
// The initial exchange of h_0, then the one in the time loop.
// CHECK: membar.gl
// CHECK: atom.global.add.u32 {{.*}}, 1;
// CHECK-NEXT: $L__BB
// The atomic read (LLVM turns add 0 into or 0).
// CHECK-NEXT: atom.global.or.b32 {{.*}}, 0;
// CHECK: membar.gl
// MMA-COUNT-6: ld.global.v4.b32
// The scalar forward gathers its h row one f32 at a time.
// SCALAR-NOT: ld.global.v4
// CHECK: membar.gl
// CHECK-NEXT: atom.global.add.u32 {{.*}}, 1;
// CHECK-NEXT: $L__BB
// CHECK-NEXT: atom.global.or.b32 {{.*}}, 0;
// CHECK: membar.gl
// CHECK-NOT: atom.global.add
// MANIFEST: "cooperative": true,
// MANIFEST: "dynamic_shared_bytes": 62208,
// MANIFEST: "ctas_per_head": 48,
// MANIFEST: "grid_barrier": true,
// SCALAR-MANIFEST: "cooperative": true,
// SCALAR-MANIFEST: "dynamic_shared_bytes": 196608,
// SCALAR-MANIFEST: "ctas_per_head": 32,
// SCALAR-MANIFEST: "grid_barrier": true,
