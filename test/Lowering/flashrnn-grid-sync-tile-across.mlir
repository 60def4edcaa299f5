// RUN: flashrnn-opt %s -split-input-file -flashrnn-grid-sync | FileCheck %s

// The tensor-core forward's tile layout over two CTAs (a grid barrier): the
// masked thread stores the f32 h of its two batch rows (2 row + 0, 2 row + 1)
// into the global exchange buffer, rows past the batch skipped; the group
// meets at the grid barrier; then every thread copies quads of 4 units of the
// tile's 8 rows back (8 x 64 / 4 = 128 quads = one per thread), each split
// into hi (rounded) and lo (the rounding error) bf16 terms.
// CHECK-LABEL: gpu.func @tile_across
// CHECK-NOT: flashrnn.exchange
// CHECK: scf.if %arg1 {
// CHECK: arith.cmpi ult
// CHECK: scf.if
// CHECK: memref.store %arg0, %arg3[{{.*}}] : memref<2x?x?x64xf32>
// CHECK: memref.store %arg0, %arg3[{{.*}}] : memref<2x?x?x64xf32>
// CHECK: gpu.barrier
// CHECK: nvvm.memory.barrier
// CHECK: memref.atomic_rmw addi
// CHECK: scf.while
// CHECK: gpu.barrier
// CHECK: %[[Q:.*]] = vector.load %arg3[{{.*}}] {alignment = 16 : i64} : memref<2x?x?x64xf32>, vector<4xf32>
// CHECK: %[[HI:.*]] = arith.truncf %[[Q]] : vector<4xf32> to vector<4xbf16>
// CHECK: %[[BACK:.*]] = arith.extf %[[HI]] : vector<4xbf16> to vector<4xf32>
// CHECK: %[[REST:.*]] = arith.subf %[[Q]], %[[BACK]] : vector<4xf32>
// CHECK: %[[LO:.*]] = arith.truncf %[[REST]] : vector<4xf32> to vector<4xbf16>
// CHECK: vector.store %[[HI]], %arg2[{{.*}}] {alignment = 8 : i64} : memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>, vector<4xbf16>
// CHECK: vector.store %[[LO]], %arg2[{{.*}}] {alignment = 8 : i64} : memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>, vector<4xbf16>
// CHECK-NOT: vector.load
// CHECK: gpu.barrier
// CHECK: gpu.return
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @tile_across(%v: f32, %m: i1, %buf: memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>, %x: memref<2x?x?x64xf32> {flashrnn.arg = "h_exchange"}, %s: memref<?xi32> {flashrnn.arg = "sync"}, %wx: memref<?x?x4x?x64xbf16> {flashrnn.arg = "wx"}, %bb: i32 {flashrnn.arg = "batch_begin"}, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = true, sharedBytes = 4352>} {
      flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i if %m {rows = 2, parts = 2} : memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}

// -----

// Within one CTA: the mask guards the stores of both terms of both values
// (term p of value k at index 2 k + p), and every thread meets the barrier.
// CHECK-LABEL: gpu.func @tile_within
// CHECK: scf.if %arg1 {
// CHECK: %[[HI:.*]] = arith.truncf %arg0 : f32 to bf16
// CHECK: %[[BACK:.*]] = arith.extf %[[HI]] : bf16 to f32
// CHECK: %[[REST:.*]] = arith.subf %arg0, %[[BACK]] : f32
// CHECK: %[[LO:.*]] = arith.truncf %[[REST]] : f32 to bf16
// CHECK: memref.store %[[HI]], %arg2[%arg3, %arg3, %[[C0:.*]], %arg3]
// CHECK: memref.store %[[LO]], %arg2[%arg3, %arg3, %[[C1:.*]], %arg3]
// CHECK: memref.store {{.*}}, %arg2[%arg3, %arg3, %[[C2:.*]], %arg3]
// CHECK: memref.store {{.*}}, %arg2[%arg3, %arg3, %[[C3:.*]], %arg3]
// CHECK: }
// CHECK-NEXT: gpu.barrier
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @tile_within(%v: f32, %m: i1, %buf: memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 64, batchTile = 8, threads = 256, rPlacement = "registers", gridBarrier = false, sharedBytes = 4352>} {
      flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i if %m {rows = 2, parts = 2} : memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}
