// RUN: flashrnn-opt %s -flashrnn-plan="training=true" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s
// RUN: flashrnn-opt %s -flashrnn-plan="training=true staged-stores=false" -flashrnn-derive-backward -flashrnn-fuse-time-loop | FileCheck %s --check-prefix=DIRECT

// Staged stores in the tensor-core forward (LSTM 64, bf16; schedule
// stagedStores). The training forward's stage sits after h (4352 B) and the
// Wx ring (16896 B, flashrnn-fuse-time-loop-mma.mlir): per
// output row a [slot 2][row 8][units + 16 B] buffer, the two states in bf16
// (72), the four gate values and two saved states in f32 (68). In the time
// loop each thread writes its two elements' values into slot t mod 2 (no
// batch-row guard), and the CTA first copies the previous step's slot
// (1 - t mod 2) out as 16-byte runs to step t - 1, guarded by t > 0, the
// run's batch row and (64 runs of a bf16 row for 256 threads) the run
// index; after the loop, the last step's slot is copied the same way.

// The inference forward of the same package has two output rows per element
// (h, c), fewer than kMinStagedStreams: it stores them from each thread.
// CHECK-LABEL: gpu.func @lstm_forward(
// CHECK-NOT: vector<8xbf16>
// CHECK: memref.store {{.*}}, %arg4[
// CHECK-NOT: vector<8xbf16>
// CHECK: gpu.return

// CHECK-LABEL: gpu.func @lstm_forward_train(
// CHECK: %[[H:.*]] = memref.view {{.*}}[%c21248{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x8x72xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[C:.*]] = memref.view {{.*}}[%c23552{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x8x72xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[G0:.*]] = memref.view {{.*}}[%c25856{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x8x68xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-4: to memref<2x8x68xf32, #gpu.address_space<workgroup>>
// CHECK: %[[SC:.*]] = memref.view {{.*}}[%c47616{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<2x8x68xf32, #gpu.address_space<workgroup>>
// CHECK: scf.for %[[T:[a-z0-9]+]] =
// CHECK: nvvm.mma.sync
// CHECK: %[[PREV:.*]] = arith.subi %c1{{.*}}, %{{.*}} : index
// CHECK: %[[TM1:.*]] = arith.subi %[[T]], %c1{{.*}} : index
// CHECK: %[[NOTFIRST:.*]] = arith.cmpi ugt, %[[T]], %c0
// CHECK: %[[OK:.*]] = arith.andi %[[NOTFIRST]], %{{.*}} : i1
// CHECK: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %c64{{.*}} : index
// CHECK: %[[GO:.*]] = arith.andi %[[OK]], %[[IN]] : i1
// CHECK: scf.if %[[GO]] {
// CHECK-NEXT: %[[V:.*]] = vector.load %[[H]][%[[PREV]], %{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<2x8x72xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// CHECK: vector.store %[[V]], %arg4[%c0{{.*}}, %{{.*}}, %[[TM1]], %block_id_y, %{{.*}}] {alignment = 16 : i64} : memref<2x?x?x?x64xbf16>, vector<8xbf16>
// CHECK: vector.load %[[C]][%[[PREV]]
// CHECK: vector.store {{.*}}, %arg4[%c1{{.*}}, %{{.*}}, %[[TM1]],
// The saved gate values: 128 runs of 4 f32 per gate value.
// CHECK: vector.load %[[G0]][%[[PREV]], {{.*}} vector<4xf32>
// CHECK: vector.store {{.*}}, %arg9[%{{.*}}, %[[TM1]], %c0{{.*}}, %block_id_y, %{{.*}}] {alignment = 16 : i64} : memref<?x?x4x?x64xf32>, vector<4xf32>
// CHECK-COUNT-3: vector.store {{.*}}, %arg9[
// CHECK: vector.load %[[SC]][%[[PREV]]
// CHECK: vector.store {{.*}}, %arg10[%c1{{.*}}, %{{.*}}, %[[TM1]],
// The cell's values into this step's slot: first element's, then second's.
// CHECK: %[[HB:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK-NEXT: memref.store %[[HB]], %[[H]][
// CHECK: %[[CB:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK-NEXT: memref.store %[[CB]], %[[C]][
// CHECK-NEXT: memref.store %{{.*}}, %[[G0]][
// CHECK-NOT: memref.store {{.*}}, %arg4
// CHECK-NOT: memref.store {{.*}}, %arg9
// CHECK: memref.store %{{.*}}, %[[SC]][
// CHECK-NOT: memref.store {{.*}}, %arg4
// CHECK-NOT: memref.store {{.*}}, %arg9
// CHECK: } {flashrnn.time_loop}
// CHECK: vector.load %[[H]]
// CHECK: vector.store {{.*}}, %arg4[
// CHECK: vector.load %[[SC]]
// CHECK: vector.store {{.*}}, %arg10[
// CHECK: gpu.return

// staged-stores=false: every value is stored by its thread, under the batch
// row's guard; no runs.
// DIRECT-LABEL: gpu.func @lstm_forward_train(
// DIRECT-NOT: vector<4xf32>
// DIRECT: scf.for
// DIRECT: scf.if
// DIRECT: arith.truncf
// DIRECT-NEXT: memref.store {{.*}}, %arg4[
// DIRECT-NOT: vector<4xf32>
// DIRECT: gpu.return

flashrnn.cell @lstm gates(i: rec in bias, f: rec in bias, z: rec in bias, o: rec in bias)
    states(h = 0.0 recurrent, c = 0.0)
    body(%h: f32, %c: f32, %i: f32, %f: f32, %z: f32, %o: f32) {
  %si = flashrnn.sigmoid %i : f32
  %sf = flashrnn.sigmoid %f : f32
  %tz = math.tanh %z : f32
  %so = flashrnn.sigmoid %o : f32
  %a = arith.mulf %sf, %c : f32
  %b = arith.mulf %si, %tz : f32
  %cn = arith.addf %a, %b : f32
  %tc = math.tanh %cn : f32
  %hn = arith.mulf %so, %tc : f32
  flashrnn.yield %hn, %cn : f32, f32
}
func.func @lstm64(%wx: tensor<?x?x4x?x64xbf16>, %r: tensor<4x?x64x64xbf16>, %b: tensor<4x?x64xbf16>) {
  %s, %l = flashrnn.sequence @lstm(%wx, %r, %b) : (tensor<?x?x4x?x64xbf16>, tensor<4x?x64x64xbf16>, tensor<4x?x64xbf16>) -> (tensor<2x?x?x?x64xbf16>, tensor<2x?x?x64xbf16>)
  return
}
