//===- ChipLimits.cpp - the hardware limits the planner works with --------===//
#include "lowering/Plan/ChipLimits.h"

using namespace mlir::flashrnn;

static const ChipLimits kChips[] = {
    // chip, SMs, shared bytes per block (opt-in), threads per block, regs/SM
    {"sm_80", 108, 163 * 1024, 1024, 65536}, // A100
    {"sm_86", 84, 99 * 1024, 1024, 65536},   // RTX 3090 / A40
    {"sm_89", 128, 99 * 1024, 1024, 65536},  // L40 / RTX 4090
    {"sm_90", 132, 227 * 1024, 1024, 65536}, // H100 SXM
};

std::optional<ChipLimits> mlir::flashrnn::lookupChipLimits(llvm::StringRef chip) {
  for (const ChipLimits &limits : kChips)
    if (limits.chip == chip)
      return limits;
  return std::nullopt;
}

llvm::StringRef mlir::flashrnn::knownChips() {
  return "sm_80, sm_86, sm_89, sm_90";
}
