// RUN: flashrnn-opt %s -flashrnn-plan="mma=false" -flashrnn-fuse-time-loop -flashrnn-grid-sync | FileCheck %s --check-prefix=CTA
// RUN: flashrnn-opt %s -flashrnn-plan="max-shared-bytes=8192 mma=false" -flashrnn-fuse-time-loop -flashrnn-grid-sync | FileCheck %s --check-prefix=GRID

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<?x?x1x?x64xbf16>, %r: tensor<1x?x64x64xbf16>, %b: tensor<1x?x64xbf16>) {
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<?x?x1x?x64xbf16>, tensor<1x?x64x64xbf16>, tensor<1x?x64xbf16>) -> (tensor<1x?x?x?x64xbf16>, tensor<1x?x?x64xbf16>)
  return
}

// A head inside one CTA, the new h goes to shared memory and the step ends
// with one block barrier; no grid barrier anywhere.
// CTA: gridBarrier = false
// CTA-NOT: flashrnn.exchange
// CTA: scf.for {{.*}} iter_args
// CTA: math.tanh
// CTA: memref.store %{{.*}}, %{{.*}} : memref<2x8x64xf32, #gpu.address_space<workgroup>>
// CTA-NEXT: gpu.barrier
// CTA-NEXT: scf.yield
// CTA-NOT: memref.atomic_rmw
// CTA-NOT: nvvm.memory.barrier

// With 8 KiB of shared memory per block the head is split over two CTAs
// (2 KiB of h + 4 KiB of R each): per step the new h goes to the global
// exchange buffer, then exactly one grid barrier (fence, one atomic increment,
// spin, fence), then the h row comes back into shared memory.
// GRID: ctasPerHead = 2, unitsPerCta = 32
// GRID-NOT: flashrnn.exchange
// GRID: gpu.func @elman_forward({{.*}}%[[HX:arg6]]: memref<2x?x?x64xf32> {flashrnn.arg = "h_exchange"}, %[[SYNC:arg7]]: memref<?xi32> {flashrnn.arg = "sync"}
// GRID: scf.for {{.*}} iter_args
// GRID: math.tanh
// GRID: memref.store %{{.*}}, %[[HX]]
// GRID: gpu.barrier
// GRID: %[[TARGET:.*]] = arith.muli %c2_i32{{.*}}, %{{.*}} : i32
// GRID: nvvm.memory.barrier <gpu>
// GRID-NEXT: %[[ONE:.*]] = arith.constant 1 : i32
// GRID-NEXT: memref.atomic_rmw addi %[[ONE]], %[[SYNC]]
// GRID-NEXT: scf.while
// GRID-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// GRID-NEXT: %[[SEEN:.*]] = memref.atomic_rmw addi %[[ZERO]], %[[SYNC]]
// GRID-NEXT: %[[WAIT:.*]] = arith.cmpi slt, %[[SEEN]], %[[TARGET]] : i32
// GRID-NEXT: scf.condition(%[[WAIT]])
// GRID: nvvm.memory.barrier <gpu>
// GRID: gpu.barrier
// GRID-COUNT-2: memref.load %[[HX]]
// GRID: gpu.barrier
// GRID-NEXT: scf.yield
// GRID-NOT: memref.atomic_rmw addi %{{.*}}1
// GRID: } {flashrnn.time_loop}
