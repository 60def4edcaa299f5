// RUN: flashrnn-opt %s -split-input-file -flashrnn-grid-sync | FileCheck %s

// The tensor-core forward's tile layout over two CTAs with taggedExchange and
// one bf16 term per value: at the kernel's start every thread clears the
// CTA's own words of the tile's rows (2 slots x 8 rows x 32 units = 512, 4
// per thread), then the group meets at one grid barrier (epoch 0). The
// exchange itself has no barrier: the masked thread stores each of its two
// rows' values as one volatile 32-bit word, bf16 bits | tag << 16 with tag
// (epoch mod 65535) + 1; every thread then polls its quad of 4 words (8 rows
// x 64 / 4 = 128 quads, one per thread) until each carries the tag, trapping
// after 2^26 rounds, and stores the low halves into the shared rows.
// CHECK-LABEL: gpu.func @tagged
// CHECK-NOT: flashrnn.exchange
// CHECK: %[[C512:.*]] = arith.constant 512 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C512]] step %{{.*}} {
// CHECK: arith.cmpi ult
// CHECK: memref.store %{{.*}}, %arg3[{{.*}}] : memref<2x?x?x64xf32>
// CHECK: gpu.barrier
// CHECK: nvvm.memory.barrier
// CHECK: memref.atomic_rmw addi
// CHECK: scf.while
// CHECK: nvvm.memory.barrier
// CHECK: gpu.barrier
// CHECK: %[[M:.*]] = arith.constant 65535 : i32
// CHECK: %[[E:.*]] = arith.remui %{{.*}}, %[[M]] : i32
// CHECK: %[[T:.*]] = arith.addi %[[E]], %{{.*}} : i32
// CHECK: %[[TAG:.*]] = arith.shli %[[T]], %{{.*}} : i32
// CHECK: scf.if %arg1 {
// CHECK: %[[H:.*]] = arith.truncf %arg0 : f32 to bf16
// CHECK: %[[BITS:.*]] = arith.bitcast %[[H]] : bf16 to i16
// CHECK: %[[W:.*]] = arith.extui %[[BITS]] : i16 to i32
// CHECK: %[[WORD:.*]] = arith.ori %[[W]], %[[TAG]] : i32
// CHECK: llvm.store volatile %[[WORD]], %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr<1>
// CHECK: llvm.store volatile
// CHECK-NOT: memref.atomic_rmw
// CHECK-NOT: nvvm.memory.barrier
// CHECK: scf.while
// CHECK: %[[Q:.*]] = llvm.load volatile %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xi32>
// CHECK: arith.xori %[[Q]]
// CHECK: vector.reduction <or>
// CHECK: scf.condition
// CHECK: arith.constant 67108864 : i32
// CHECK: llvm.intr.trap
// CHECK: %[[LOW:.*]] = arith.trunci %{{.*}} : vector<4xi32> to vector<4xi16>
// CHECK: %[[V:.*]] = arith.bitcast %[[LOW]] : vector<4xi16> to vector<4xbf16>
// CHECK: vector.store %[[V]], %arg2[{{.*}}] {alignment = 8 : i64} : memref<2x4x2x68xbf16, #gpu.address_space<workgroup>>, vector<4xbf16>
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: gpu.return
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @tagged(%v: f32, %m: i1, %buf: memref<2x4x2x68xbf16, #gpu.address_space<workgroup>>, %x: memref<2x?x?x64xf32> {flashrnn.arg = "h_exchange"}, %s: memref<?xi32> {flashrnn.arg = "sync"}, %wx: memref<?x?x4x?x64xbf16> {flashrnn.arg = "wx"}, %bb: i32 {flashrnn.arg = "batch_begin"}, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = true, sharedBytes = 4352, taggedExchange = true>} {
      flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i if %m {rows = 2, parts = 1} : memref<2x4x2x68xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}

// -----

// Two terms per value (the training forward's hi/lo split) do not fit one
// tagged word: taggedExchange or not, the exchange keeps the grid barrier.
// CHECK-LABEL: gpu.func @two_terms
// CHECK-NOT: llvm.store volatile
// CHECK: memref.store %arg0, %arg3[{{.*}}] : memref<2x?x?x64xf32>
// CHECK: memref.atomic_rmw addi
// CHECK: vector.load %arg3
// CHECK-NOT: llvm.load volatile
// CHECK: gpu.return
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @two_terms(%v: f32, %m: i1, %buf: memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>, %x: memref<2x?x?x64xf32> {flashrnn.arg = "h_exchange"}, %s: memref<?xi32> {flashrnn.arg = "sync"}, %wx: memref<?x?x4x?x64xbf16> {flashrnn.arg = "wx"}, %bb: i32 {flashrnn.arg = "batch_begin"}, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = true, sharedBytes = 4352, taggedExchange = true>} {
      flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i if %m {rows = 2, parts = 2} : memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}

// -----

// Without taggedExchange one term per value still goes through the barrier.
// CHECK-LABEL: gpu.func @untagged
// CHECK-NOT: llvm.store volatile
// CHECK: memref.atomic_rmw addi
// CHECK: vector.load %arg3
// CHECK-NOT: llvm.load volatile
// CHECK: gpu.return
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @untagged(%v: f32, %m: i1, %buf: memref<2x4x2x68xbf16, #gpu.address_space<workgroup>>, %x: memref<2x?x?x64xf32> {flashrnn.arg = "h_exchange"}, %s: memref<?xi32> {flashrnn.arg = "sync"}, %wx: memref<?x?x4x?x64xbf16> {flashrnn.arg = "wx"}, %bb: i32 {flashrnn.arg = "batch_begin"}, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = true, sharedBytes = 4352>} {
      flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i if %m {rows = 2, parts = 1} : memref<2x4x2x68xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}
