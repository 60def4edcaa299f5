//===- ChipLimits.h - the hardware limits the planner works with ----------===//
#ifndef FLASHRNN_LOWERING_PLAN_CHIPLIMITS_H
#define FLASHRNN_LOWERING_PLAN_CHIPLIMITS_H

#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>

namespace mlir::flashrnn {

/// Per-chip limits, from NVIDIA's tuning guides (CUDA C++ Programming Guide,
/// "Compute capabilities"). Shared memory is the most one block may opt into.
struct ChipLimits {
  llvm::StringRef chip;
  int64_t numSMs;
  int64_t maxSharedBytesPerBlock;
  int64_t maxThreadsPerBlock;
  int64_t registersPerSM;
};

/// The limits of `chip` ("sm_80", ...), or nullopt for an unknown chip.
std::optional<ChipLimits> lookupChipLimits(llvm::StringRef chip);

/// The chips lookupChipLimits knows, for diagnostics.
llvm::StringRef knownChips();

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_PLAN_CHIPLIMITS_H
