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
};

/// What was run, for reports.
struct GpuForwardReport {
  std::string entry;  // kernel name
  std::string device; // cudaDeviceSummary()
  int64_t block[3] = {1, 1, 1};
  int64_t ctasPerHead = 1, heads = 1, batchTile = 1;
  int64_t dynamicSharedBytes = 0;
  bool cooperative = false;
  int64_t residentCtas = 0;          // cooperative only: blocks/SM x SMs
  std::vector<LaunchChunk> launches; // one forward
  std::string jitLog;                // ptxas info log (registers, spills)
  double medianMs = -1;              // with timing
  std::vector<double> timesMs;       // every timed forward
};

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

//===----------------------------------------------------------------------===//
// Host-side conversions (pure, unit-tested).
//===----------------------------------------------------------------------===//

/// Bytes per element of a GPU dtype (bf16/f16: 2, f32: 4); 0 for f64.
size_t deviceElementSize(DType dtype);

/// float64 -> the device representation of `dtype` (one rounding, RNE).
std::vector<uint8_t> encodeForDevice(const double *values, size_t n,
                                     DType dtype);

/// The device representation -> float64 (exact). Counts the elements whose
/// bytes are all 0xFF (the poison pattern: never written) and the index of
/// the first.
void decodeFromDevice(const uint8_t *bytes, size_t n, DType dtype,
                      double *values, int64_t &poisoned,
                      int64_t &firstPoisoned);

} // namespace cuda
} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_CUDA_GPUFORWARD_H
