//===- GpuForward.h - Run a package's forward kernel on the GPU -*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// Runs the `forward` kernel of a package on CUDA device 0 per the launch
// contract of docs/PACKAGE.md ("Kernels"), from float64 host tensors in the
// public layouts, and optionally times it. Built for testing a compiler's
// output, so it is defensive: outputs are poisoned (every byte 0xFF) before
// every forward and elements the kernel left unwritten are an error, the
// `sync` counters are zeroed before every launch, co-residency is checked
// before a cooperative launch, and every CUDA failure names its call.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_CUDA_GPUFORWARD_H
#define FLASHRNN_RUNTIME_CUDA_GPUFORWARD_H

#include "runtime/Cuda/GpuLaunch.h"
#include "runtime/Cuda/KernelSpec.h"
#include "runtime/Manifest.h"
#include "runtime/Reference.h"

#include <cstdint>
#include <string>
#include <vector>

namespace flashrnn {
namespace cuda {

/// True if libcuda.so.1 loads, cuInit succeeds and there is a device;
/// otherwise `why` says what is missing.
bool cudaAvailable(std::string &why);

/// "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.2 GiB, driver 12.4)", or "" if
/// there is no device.
std::string cudaDeviceSummary();

/// Timing: after the checked forward, `warmup` untimed forwards, then
/// `repeat` forwards each timed with CUDA events (all launches of one
/// forward between the two events; the inputs stay on the device).
struct GpuTiming {
  int repeat = 0; // 0: no timing
  int warmup = 1;
  // Training: run a reduction that waits for the backward's progress
  // beside the backward, on a second stream (GpuBackward.cpp); false runs
  // it after the backward (for A/B measurements).
  bool overlapReduce = true;
};

/// What was run, for reports: the kernel's launches, and the run's device,
/// JIT log and timing.
struct GpuForwardReport : KernelLaunchReport {
  std::string device;          // cudaDeviceSummary()
  std::string jitLog;          // ptxas info log (registers, spills)
  double medianMs = -1;        // with timing
  std::vector<double> timesMs; // every timed forward
};

/// The s0 the kernels get when the caller gives none: every state at its
/// manifest `init`, [S, B, NH, DH].
std::vector<double> initialStates(const Manifest &m, const RunDims &d);

/// Runs the forward. `s0` may be null (each state starts at its manifest
/// `init`, uploaded as s0: the kernel always takes s0). `r` (`b`) may be null
/// when the package has no R (b) rows. Inputs are rounded to the package
/// dtype (RNE) on upload; outputs are converted back to float64. Returns
/// false with `error` on any failure; when the kernel left elements
/// unwritten, the outputs are still filled (those elements read as NaN) and
/// the error counts them.
bool gpuForward(const Manifest &m, const std::string &packageDir,
                const RunDims &d, const double *wx, const double *r,
                const double *b, const double *s0, double *states, double *last,
                const GpuTiming &timing, GpuForwardReport &report,
                std::string &error);

} // namespace cuda
} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_CUDA_GPUFORWARD_H
