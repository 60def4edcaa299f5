// RUN: flashrnn-opt %s -flashrnn-grid-sync | FileCheck %s

// The tensor-core forward's tile layout in a thread-block cluster of two
// CTAs: the masked thread stores both terms (hi, lo) of both of its values
// into the same place of the shared buffer of every CTA of the cluster
// (mapa to ranks 0 and 1, st.shared::cluster), then one cluster barrier;
// no global buffer, no atomics. The kernel starts and ends with a cluster
// barrier, so no CTA writes into a CTA that has not started or has exited.
// CHECK-LABEL: gpu.func @tile_cluster
// CHECK-NEXT: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK: scf.if %arg1 {
// CHECK: memref.extract_aligned_pointer_as_index %arg2
// CHECK: llvm.inttoptr %{{.*}} : i64 to !llvm.ptr<3>
// CHECK: %[[HI:.*]] = arith.truncf %arg0 : f32 to bf16
// CHECK: %[[LO:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK: %[[AT:.*]] = llvm.getelementptr %{{.*}}[%{{.*}}] : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, i8
// CHECK: %[[R0:.*]] = nvvm.mapa %[[AT]], %c0_i32{{.*}} : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK-NEXT: llvm.store %[[HI]], %[[R0]] : bf16, !llvm.ptr<7>
// CHECK: %[[R1:.*]] = nvvm.mapa %[[AT]], %c1_i32{{.*}} : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK-NEXT: llvm.store %[[HI]], %[[R1]] : bf16, !llvm.ptr<7>
// CHECK: nvvm.mapa
// CHECK-NEXT: llvm.store %[[LO]]
// CHECK-COUNT-5: llvm.store
// CHECK-NOT: llvm.store
// CHECK: }
// CHECK-NEXT: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: gpu.return
// CHECK-NOT: memref.atomic_rmw
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @tile_cluster(%v: f32, %m: i1, %buf: memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 4352, cluster = true>} {
      flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i if %m {rows = 2, parts = 2} : memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}

