// RUN: flashrnn-opt %s -flashrnn-approximate-math | FileCheck %s

// In a bf16 kernel (its R argument is bf16) tanh becomes tanh.approx.f32 and
// sigmoid 0.5 + 0.5 * tanh.approx(0.5 x); no exp, no division is left.
// CHECK-LABEL: gpu.func @bf16_kernel
// CHECK-NOT: math.tanh
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: llvm.inline_asm "tanh.approx.f32 $0, $1;", "=f,f" %arg1 : (f32) -> f32
// CHECK: %[[X:.*]] = arith.mulf %{{.*}}, %[[HALF]] : f32
// CHECK: %[[T:.*]] = llvm.inline_asm "tanh.approx.f32 $0, $1;", "=f,f" %[[X]] : (f32) -> f32
// CHECK: math.fma %[[T]], %[[HALF]], %[[HALF]] : f32
// CHECK-NOT: flashrnn.sigmoid
// CHECK: gpu.return

// An f32 kernel keeps the precise forms.
// CHECK-LABEL: gpu.func @f32_kernel
// CHECK: math.tanh
// CHECK: flashrnn.sigmoid
// CHECK-NOT: llvm.inline_asm
// CHECK: gpu.return

// Outside a fused kernel (no R or Wx argument) nothing changes.
// CHECK-LABEL: gpu.func @foreign_kernel
// CHECK: math.tanh
// CHECK-NOT: llvm.inline_asm
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @bf16_kernel(%r: memref<1x?x16x16xbf16> {flashrnn.arg = "r"}, %x: f32, %out: memref<2xf32>) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %t = math.tanh %x : f32
      %s = flashrnn.sigmoid %x : f32
      memref.store %t, %out[%c0] : memref<2xf32>
      memref.store %s, %out[%c1] : memref<2xf32>
      gpu.return
    }
    gpu.func @f32_kernel(%r: memref<1x?x16x16xf32> {flashrnn.arg = "r"}, %x: f32, %out: memref<2xf32>) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %t = math.tanh %x : f32
      %s = flashrnn.sigmoid %x : f32
      memref.store %t, %out[%c0] : memref<2xf32>
      memref.store %s, %out[%c1] : memref<2xf32>
      gpu.return
    }
    gpu.func @foreign_kernel(%x: f32, %out: memref<1xf32>) kernel {
      %c0 = arith.constant 0 : index
      %t = math.tanh %x : f32
      memref.store %t, %out[%c0] : memref<1xf32>
      gpu.return
    }
  }
}
