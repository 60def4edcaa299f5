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

/// The GPU kernels of a package: their launch descriptions and the PTX of
/// the module that holds them all.
struct PackagedKernels {
  llvm::json::Array descriptions;
  std::string ptxFile = "kernels.ptx";
  std::string ptx;
};

/// Builds the manifest of `sequence` (whose cell is `cell`). Fails with a
/// diagnostic on the op at fault if the body cannot be serialised.
/// `kernels`, if given, are listed in the manifest's "kernels".
FailureOr<llvm::json::Object>
buildManifest(SequenceOp sequence, CellOp cell,
              const PackagedKernels *kernels = nullptr);

/// The kernels of `sequence` after the flashrnn-to-ptx pipeline: their
/// launch descriptions (docs/PACKAGE.md, "Kernels", kept on the sequence op
/// by flashrnn-fuse-time-loop) and the PTX of the gpu.binary that holds
/// them. Fails with a diagnostic if the sequence was not compiled to PTX.
FailureOr<PackagedKernels> extractKernels(SequenceOp sequence);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_PACKAGE_MANIFESTEMITTER_H
