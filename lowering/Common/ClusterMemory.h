//===- ClusterMemory.h - addresses in a cluster's shared memory -*- C++ -*-===//
//
// Distributed shared memory (sm_90): the CTAs of a thread-block cluster
// reach each other's shared memory at the same offsets. Shared by the
// exchange of h within a cluster (flashrnn-grid-sync) and the backward's
// pull of dg (MmaBackwardKernel.cpp). Also the raw byte addresses the
// tensor-core kernels give ldmatrix (shared) and the inference forward's Wx
// loads (global).
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_COMMON_CLUSTERMEMORY_H
#define FLASHRNN_LOWERING_COMMON_CLUSTERMEMORY_H

#include "mlir/IR/Builders.h"

namespace mlir::flashrnn {

/// The address of shared-memory `buffer` (a workgroup memref) in this CTA's
/// shared window, as !llvm.ptr<3>.
Value sharedBaseAddress(OpBuilder &b, Location loc, Value buffer);

/// `base` (an !llvm.ptr of any address space) advanced by `byteOffset`
/// (index), in the same address space.
Value byteAddress(OpBuilder &b, Location loc, Value base, Value byteOffset);

/// `base` (!llvm.ptr<3>) advanced by `byteOffset` (index).
inline Value sharedByteAddress(OpBuilder &b, Location loc, Value base,
                               Value byteOffset) {
  return byteAddress(b, loc, base, byteOffset);
}

/// The same shared-memory address in CTA `rank` (i32) of the cluster, as
/// !llvm.ptr<7> (mapa.shared::cluster).
Value clusterAddress(OpBuilder &b, Location loc, Value local, Value rank);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_COMMON_CLUSTERMEMORY_H
