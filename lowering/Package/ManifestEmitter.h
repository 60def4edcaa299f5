//===- ManifestEmitter.h - the package manifest of a sequence -------------===//
//
// Writes the manifest.json of a kernel package (docs/PACKAGE.md): the cell's
// declarations, the tensor counts and the cell body as a straight-line
// program the runtime's CPU reference executes.
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_PACKAGE_MANIFESTEMITTER_H
#define FLASHRNN_LOWERING_PACKAGE_MANIFESTEMITTER_H

#include "dialect/FlashRNNOps.h"
#include "llvm/Support/JSON.h"

namespace mlir::flashrnn {

/// The package format version this compiler writes; the runtime accepts
/// exactly this version.
constexpr int64_t kPackageFormatVersion = 1;

/// Builds the manifest of `sequence` (whose cell is `cell`). Fails with a
/// diagnostic on the op at fault if the body cannot be serialised.
FailureOr<llvm::json::Object> buildManifest(SequenceOp sequence, CellOp cell);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_PACKAGE_MANIFESTEMITTER_H
