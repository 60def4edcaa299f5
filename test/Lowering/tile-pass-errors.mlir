// The tile-level passes refuse IR they did not make, with a message, never a
// crash.
// RUN: not flashrnn-opt %s -split-input-file -flashrnn-grid-sync 2>&1 | FileCheck %s --check-prefix=SYNC
// RUN: not flashrnn-opt %s -split-input-file -flashrnn-cache-recurrent-weights 2>&1 | FileCheck %s --check-prefix=CACHE

// SYNC: error: 'flashrnn.exchange' op must be inside a kernel built by flashrnn-fuse-time-loop (no flashrnn.schedule)
func.func @outside(%v: f32, %buf: memref<2x8x64xf32>, %i: index) {
  flashrnn.exchange %v into %buf[%i, %i, %i] epoch %i : memref<2x8x64xf32>
  return
}

// -----

// A grid-barrier schedule on a kernel without the exchange buffer.
// SYNC: error: 'flashrnn.exchange' op needs the kernel arguments 'h_exchange' and 'sync' for a grid barrier
// CACHE: error: 'gpu.func' op has no kernel argument 'r' to cache
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%v: f32, %buf: memref<2x8x64xf32>, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 256, rPlacement = "smem", gridBarrier = true, sharedBytes = 4096>} {
      scf.for %t = %i to %i step %i {
        flashrnn.exchange %v into %buf[%i, %i, %i] epoch %i : memref<2x8x64xf32>
      } {flashrnn.time_loop}
      gpu.return
    }
  }
}

// -----

// CACHE: error: 'gpu.func' op has no flashrnn.time_loop to cache R for
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%r: memref<1x?x32x32xbf16> {flashrnn.arg = "r"}) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 256, rPlacement = "smem", gridBarrier = false, sharedBytes = 4096>} {
      gpu.return
    }
  }
}

// -----

// CACHE: error: 'gpu.func' op has flashrnn.r_unit_dim 5; expected 2 or 3
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%r: memref<1x?x32x32xbf16> {flashrnn.arg = "r"}) kernel attributes {flashrnn.r_unit_dim = 5 : i64, flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 256, rPlacement = "smem", gridBarrier = false, sharedBytes = 4096>} {
      gpu.return
    }
  }
}

// -----

// R in registers: only fragment loads (vector.load) can be hoisted.
// CACHE: error: 'memref.load' op reads R inside the time loop, but r_placement "registers" caches only vector.load fragments of R
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%r: memref<1x?x32x32xbf16> {flashrnn.arg = "r"}, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 2048>} {
      scf.for %t = %i to %i step %i {
        %w = memref.load %r[%i, %i, %i, %i] : memref<1x?x32x32xbf16>
      } {flashrnn.time_loop}
      gpu.return
    }
  }
}

// -----

// R in registers: a fragment whose index changes with the step is not
// loop-invariant.
// CACHE: error: 'vector.load' op reads R at an index computed inside the time loop; a fragment kept in registers needs loop-invariant indices
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%r: memref<1x?x32x32xbf16> {flashrnn.arg = "r"}, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 1, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 2048>} {
      scf.for %t = %i to %i step %i {
        %w = vector.load %r[%i, %i, %i, %t] : memref<1x?x32x32xbf16>, vector<2xbf16>
      } {flashrnn.time_loop}
      gpu.return
    }
  }
}

// -----

// The tensor-core schedule's tile layout across CTAs: each value must be h
// of one row (rows = number of values); two values of one row are refused.
// SYNC: error: 'flashrnn.exchange' op across CTAs in the tile layout needs one value per row (rows = number of values) and a [2, B, NH, DH] global buffer
// CACHE: error: 'gpu.func' op has no kernel argument 'r' to cache
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%v: f32, %buf: memref<2x4x2x72xbf16>, %x: memref<2x?x?x64xf32> {flashrnn.arg = "h_exchange"}, %s: memref<?xi32> {flashrnn.arg = "sync"}, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = true, sharedBytes = 4608>} {
      scf.for %t = %i to %i step %i {
        flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i : memref<2x4x2x72xbf16>
      } {flashrnn.time_loop}
      gpu.return
    }
  }
}

// -----

// The scalar schedule's exchange across CTAs (one thread per element) takes
// no mask, rows or parts.
// SYNC: error: 'flashrnn.exchange' op across CTAs needs an f32 buffer and one thread per (batch row, unit), without rows, parts or a mask, outside the tensor-core schedule's tile layout (r_placement "registers")
// CACHE: error: 'gpu.func' op has no kernel argument 'r' to cache
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%v: f32, %m: i1, %buf: memref<2x8x64xf32>, %x: memref<2x?x?x64xf32> {flashrnn.arg = "h_exchange"}, %s: memref<?xi32> {flashrnn.arg = "sync"}, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 256, rPlacement = "smem", gridBarrier = true, sharedBytes = 4096>} {
      scf.for %t = %i to %i step %i {
        flashrnn.exchange %v into %buf[%i, %i, %i] epoch %i if %m : memref<2x8x64xf32>
      } {flashrnn.time_loop}
      gpu.return
    }
  }
}

// -----

// Only the tile layout of the tensor-core forward runs in a cluster.
// CACHE: error: 'gpu.func' op has no kernel argument 'r' to cache
// SYNC: error: 'flashrnn.exchange' op in a thread-block cluster needs the tensor-core schedule's tile layout (r_placement "registers")
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @scalar_cluster(%v: f32, %buf: memref<2x8x64xf32, #gpu.address_space<workgroup>>, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 256, rPlacement = "smem", gridBarrier = false, sharedBytes = 4096, cluster = true>} {
      flashrnn.exchange %v into %buf[%i, %i, %i] epoch %i : memref<2x8x64xf32, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}

// -----

// With taggedExchange, a kernel whose exchanges take tagged words (one term)
// and the grid barrier (two terms) would count the barrier's epochs from the
// start-up barrier's: refused.
// SYNC: error: 'flashrnn.exchange' op cannot cross CTAs around the grid barrier in a kernel whose other exchanges use tagged words (one element-type term each)
// CACHE: error: 'gpu.func' op has no kernel argument 'r' to cache
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%v: f32, %m: i1, %one: memref<2x4x2x68xbf16, #gpu.address_space<workgroup>>, %two: memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>, %x: memref<2x?x?x64xf32> {flashrnn.arg = "h_exchange"}, %s: memref<?xi32> {flashrnn.arg = "sync"}, %wx: memref<?x?x4x?x64xbf16> {flashrnn.arg = "wx"}, %bb: i32 {flashrnn.arg = "batch_begin"}, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = true, sharedBytes = 4352, taggedExchange = true>} {
      flashrnn.exchange %v, %v into %one[%i, %i, %i] epoch %i if %m {rows = 2, parts = 1} : memref<2x4x2x68xbf16, #gpu.address_space<workgroup>>
      flashrnn.exchange %v, %v into %two[%i, %i, %i] epoch %i if %m {rows = 2, parts = 2} : memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}

// -----

// An asynchronous cluster exchange opens each phase for a fixed number of
// bytes: two exchanges of one kernel that move different amounts (one term
// and two) would leave a phase waiting for bytes that never come.
// SYNC: error: 'flashrnn.exchange' op in an asynchronous cluster exchange must move as many bytes as the kernel's other exchanges (512 per step)
// CACHE: error: 'gpu.func' op has no kernel argument 'r' to cache
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%v: f32, %m: i1, %one: memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>, %two: memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>, %i: index) kernel attributes {flashrnn.schedule = #flashrnn.schedule<chip = "sm_90", ctasPerHead = 2, unitsPerCta = 32, batchTile = 8, threads = 128, rPlacement = "registers", gridBarrier = false, sharedBytes = 4608, cluster = true, asyncExchange = true>} {
      flashrnn.exchange %v, %v into %one[%i, %i, %i] epoch %i if %m {rows = 2, parts = 1} : memref<2x4x2x72xbf16, #gpu.address_space<workgroup>>
      flashrnn.exchange %v, %v into %two[%i, %i, %i] epoch %i if %m {rows = 2, parts = 2} : memref<2x4x4x68xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
}
