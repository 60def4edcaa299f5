// RUN: flashrnn-opt %s -split-input-file -verify-diagnostics
//
// The tile-level exchange op's diagnostics.

func.func @f(%v: f32, %buf: memref<2x8x4x64xf32, #gpu.address_space<workgroup>>, %i: index) {
  // expected-error @+1 {{'flashrnn.exchange' op exchanges 2 value(s) but the buffer is 'memref<2x8x4x64xf32, #gpu.address_space<workgroup>>'; expected [2, rows, DH] (one value) or [2, rows, 2, DH]}}
  flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i : memref<2x8x4x64xf32, #gpu.address_space<workgroup>>
  return
}

// -----

func.func @f(%v: f32, %buf: memref<2x8x64xf64, #gpu.address_space<workgroup>>, %i: index) {
  // expected-error @+1 {{'flashrnn.exchange' op needs an f32, bf16 or f16 buffer, got 'memref<2x8x64xf64, #gpu.address_space<workgroup>>'}}
  flashrnn.exchange %v into %buf[%i, %i, %i] epoch %i : memref<2x8x64xf64, #gpu.address_space<workgroup>>
  return
}

// -----

func.func @f(%buf: memref<2x8x64xf32>, %i: index) {
  // expected-error @+1 {{'flashrnn.exchange' op exchanges no values}}
  "flashrnn.exchange"(%buf, %i, %i, %i, %i) <{operandSegmentSizes = array<i32: 0, 1, 1, 1, 1, 1, 0>}> : (memref<2x8x64xf32>, index, index, index, index) -> ()
  return
}

// -----

func.func @f(%v: f32, %buf: memref<2x4x3x72xbf16>, %i: index) {
  // expected-error @+1 {{'flashrnn.exchange' op exchanges 3 value(s) for 2 row(s); rows must be at least 1 and divide the number of values}}
  flashrnn.exchange %v, %v, %v into %buf[%i, %i, %i] epoch %i {rows = 2} : memref<2x4x3x72xbf16>
  return
}

// -----

func.func @f(%v: f32, %buf: memref<2x4x6x72xbf16>, %i: index) {
  // expected-error @+1 {{'flashrnn.exchange' op stores each value as 3 part(s); expected 1 or 2}}
  flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i {rows = 2, parts = 3} : memref<2x4x6x72xbf16>
  return
}

// -----

func.func @f(%v: f32, %buf: memref<2x4x4x72xf32>, %i: index) {
  // expected-error @+1 {{'flashrnn.exchange' op splits values into 2 parts, which needs a bf16 or f16 buffer, got 'memref<2x4x4x72xf32>'}}
  flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i {rows = 2, parts = 2} : memref<2x4x4x72xf32>
  return
}

// -----

func.func @f(%v: f32, %buf: memref<2x4x2x72xbf16>, %i: index) {
  // expected-error @+1 {{'flashrnn.exchange' op exchanges 2 value(s) of 2 parts each but the buffer is 'memref<2x4x2x72xbf16>'; expected [2, rows, DH] (one value) or [2, rows, 4, DH]}}
  flashrnn.exchange %v, %v into %buf[%i, %i, %i] epoch %i {rows = 2, parts = 2} : memref<2x4x2x72xbf16>
  return
}

// -----

flashrnn.cell @elman gates(g: rec in bias) states(h = 0.0 recurrent) body(%h: f32, %g: f32) {
  %0 = math.tanh %g : f32
  flashrnn.yield %0 : f32
}
func.func @f(%wx: tensor<2x3x1x4x?xbf16>, %r: tensor<1x4x?x?xbf16>, %b: tensor<1x4x?xbf16>) {
  // expected-error @+1 {{'flashrnn.sequence' op dimension DH must be static in at least one tensor}}
  %s, %l = flashrnn.sequence @elman(%wx, %r, %b) : (tensor<2x3x1x4x?xbf16>, tensor<1x4x?x?xbf16>, tensor<1x4x?xbf16>) -> (tensor<1x2x3x4x?xbf16>, tensor<1x2x4x?xbf16>)
  return
}
