// RUN: flashrnn-opt %s -split-input-file -flashrnn-grid-sync | FileCheck %s

// The tile layout in a cluster of 4 CTAs with asyncExchange, one bf16 term:
// the kernel gets two mbarriers (workgroup attribution, one per slot);
// thread 0 initialises them (one arrival each) and fences the
// initialisation for the cluster, a block barrier, then it opens their first
// phases expecting the other 3 CTAs' blocks (3 x 8 rows x 32 units x 2 B =
// 1536 bytes); then the cluster barrier at the start. The exchange stores the
// thread's values into its own rows, one block barrier, then copies the
// CTA's block (8 rows x 64 B = 32 runs of 16 B) to the 3 other CTAs: 96
// copies over 128 threads, so one round behind a guard; each copy reads 16
// bytes of its own shared memory and st.async's them to the same place of
// CTA (cta + 1 + copy / 32) mod 4, completing on that CTA's mbarrier of the
// slot. Then every thread waits for the slot's phase of the epoch (parity
// (epoch / 2) mod 2), and thread 0 opens the next one. No cluster barrier
// per step: only the kernel's first and last.
// CHECK-LABEL: gpu.func @async_cluster
// CHECK-SAME: workgroup(%[[BARS:.*]] : memref<2xi64, #gpu.address_space<workgroup>>)
// CHECK: scf.if
// CHECK: mbarrier.init.shared::cta.b64 [$0], 1;
// CHECK: mbarrier.init.shared::cta.b64 [$0], 1;
// CHECK: fence.mbarrier_init.release.cluster;
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: %[[TX:.*]] = arith.constant 1536 : i32
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64 state, [$0], $1;{{.*}}%[[TX]]
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK: scf.if %arg1 {
// CHECK: memref.store {{.*}} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// CHECK: memref.store {{.*}} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
// CHECK: gpu.barrier
// CHECK: %[[COPIES:.*]] = arith.constant 96 : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[COPIES]] : index
// CHECK: scf.if %[[IN]] {
// CHECK: %[[WORDS:.*]] = llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xi32>
// CHECK: nvvm.mapa {{.*}} : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK: nvvm.mapa {{.*}} : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK: st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.b32 [$0], {$1, $2, $3, $4}, [$5];
// CHECK: arith.divui %arg3, %{{.*}} : index
// CHECK: scf.while
// CHECK: mbarrier.try_wait.parity.acquire.cluster.shared::cta.b64
// CHECK: scf.condition
// CHECK: scf.if
// CHECK: arith.constant 1536 : i32
// CHECK: mbarrier.arrive.expect_tx.shared::cta.b64
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: gpu.return
// CHECK-NOT: llvm.store
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @async_cluster(%v: f32, %m: i1, %buf: memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 4, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 4608, cluster = true, asyncExchange = true>} {
      flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i if %m {rows = 2, parts = 1} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}

// -----

// Two terms (hi, lo) in rows of 68 elements (136 bytes, 8-byte aligned):
// 8-byte runs, 8 per row and term, 8 rows x 2 terms = 128 runs to the one
// other CTA, exactly one per thread (no guard); 1 x 8 x 2 x 32 x 2 = 1024
// bytes expected per phase.
// CHECK-LABEL: gpu.func @async_two_terms
// CHECK: arith.constant 1024 : i32
// CHECK: nvvm.cluster.wait {aligned}
// CHECK: gpu.barrier
// CHECK-NOT: scf.if
// CHECK: llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<3> -> vector<2xi32>
// CHECK: st.async.shared::cluster.mbarrier::complete_tx::bytes.v2.b32 [$0], {$1, $2}, [$3];
// CHECK: scf.while
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @async_two_terms(%v: f32, %m: i1, %buf: memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 4352, cluster = true, asyncExchange = true>} {
      flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i if %m {rows = 2, parts = 2} : memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}
