//===- GpuBackward.h - Run a package's training kernels on GPU -*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// The GPU training pass: `forward_train` (the forward, saving the gate values
// and states the backward needs), `backward` (reverse time loop: dWx, ds0 and
// the gate gradients dgates) and `backward_reduce` (dR and db from dgates and
// the saved states), run on CUDA device 0 per docs/PACKAGE.md ("Kernels")
// from float64 host tensors in the public layouts. As defensive as the
// forward (GpuForward.h): every output poisoned before every pass and
// unwritten elements an error, `sync` zeroed before every launch, co-
// residency checked for each cooperative kernel (the backward has its own
// schedule, so its own batch split), every CUDA failure naming its call.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_CUDA_GPUBACKWARD_H
#define FLASHRNN_RUNTIME_CUDA_GPUBACKWARD_H

#include "runtime/Cuda/GpuForward.h"
#include "runtime/Cuda/GpuLaunch.h"
#include "runtime/Cuda/KernelSpec.h"
#include "runtime/Manifest.h"
#include "runtime/Reference.h"

#include <string>
#include <vector>

namespace flashrnn {
namespace cuda {

/// The three kernels of a training pass.
struct TrainingKernels {
  const KernelSpec *forwardTrain = nullptr, *backward = nullptr,
                   *reduce = nullptr;
};

/// Finds the kernel of each training kind: for a run of `batch` rows and
/// `heads` heads the one selectKernel picks, without a run (batch 0) the
/// first entry. False when one is missing, with `missing` naming the first
/// absent kind ("backward_reduce").
bool findTrainingKernels(const std::vector<KernelSpec> &specs,
                         TrainingKernels &kernels, std::string &missing,
                         int64_t batch = 0, int64_t heads = 0);

/// What was run, for reports. Timing covers the whole pass: forward_train,
/// backward and backward_reduce between two CUDA events.
struct GpuBackwardReport {
  std::string device; // cudaDeviceSummary()
  std::string jitLog; // ptxas info log of the PTX file(s)
  KernelLaunchReport forwardTrain, backward, reduce;
  double medianMs = -1;        // with timing
  std::vector<double> timesMs; // every timed pass
  // With timing: the median time of each kernel of the pass (events
  // recorded between the kernels of every timed pass), in ms.
  double forwardTrainMs = -1, backwardMs = -1, reduceMs = -1;
  // Whether the reduction ran beside the backward (then reduceMs is only
  // the part of it after the backward's end), and if not, why not.
  bool reduceOverlapped = false;
  std::string notOverlappedWhy;
};

/// Runs the training pass. `s0` may be null (each state starts at its
/// manifest `init`; ds0 is then the gradient w.r.t. those values broadcast
/// to [S, B, NH, DH], as the CPU reference defines it). `dstates` and
/// `dlast` may be null (zero). `r`/`b` and `dr`/`db` may be null when the
/// package has no R (b) rows. Inputs are rounded to the package dtype (RNE)
/// on upload; outputs (states, last, dwx, dr, db, ds0) are converted back to
/// float64. Returns false with `error` on any failure; when the kernels left
/// elements unwritten, the outputs are still filled (NaN there) and the
/// error counts them per output and names the kernel that writes it.
bool gpuBackward(const Manifest &m, const std::string &packageDir,
                 const RunDims &d, const double *wx, const double *r,
                 const double *b, const double *s0, const double *dstates,
                 const double *dlast, double *states, double *last, double *dwx,
                 double *dr, double *db, double *ds0, const GpuTiming &timing,
                 GpuBackwardReport &report, std::string &error);

} // namespace cuda
} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_CUDA_GPUBACKWARD_H
