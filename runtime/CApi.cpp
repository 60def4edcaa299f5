//===- CApi.cpp - The C ABI of the runtime library ------------------------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// Thin wrappers: validate pointers and sizes, call the C++ implementation,
// turn failures (and any exception, which must never cross a C boundary)
// into a status code plus a thread-local message.
//
//===----------------------------------------------------------------------===//

#include "flashrnn/runtime.h"

#include "runtime/Cuda/GpuBackward.h"
#include "runtime/Cuda/GpuDevice.h"
#include "runtime/Cuda/GpuForward.h"
#include "runtime/Cuda/KernelSpec.h"
#include "runtime/Manifest.h"
#include "runtime/Reference.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <vector>

struct FlashRnnPackage {
  std::string dir;
  flashrnn::Manifest manifest;
  // Created on first use by the device-buffer entry points; it caches the
  // kernel entries, loaded modules and launch plans for the package's life.
  std::once_flag launcherOnce;
  std::unique_ptr<flashrnn::cuda::DeviceLauncher> launcher;

  flashrnn::cuda::DeviceLauncher &deviceLauncher() {
    std::call_once(launcherOnce, [this]() {
      launcher =
          std::make_unique<flashrnn::cuda::DeviceLauncher>(manifest, dir);
    });
    return *launcher;
  }
};

using namespace flashrnn;

namespace {

thread_local std::string lastError;
// flashrnn_gpu_backward_split: the last timed training pass of this thread.
thread_local double lastSplitMs[3] = {-1, -1, -1};
thread_local bool overlapReduce = true;
thread_local int lastOverlapped = -1;
// flashrnn_gpu_last_kernel: the entry the last GPU pass of this thread ran.
thread_local std::string lastKernel;

int setError(int status, const std::string &message) {
  lastError = message;
  return status;
}

bool checkPackage(const FlashRnnPackage *pkg, const char *fn) {
  if (pkg)
    return true;
  setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
           std::string(fn) + ": package is NULL");
  return false;
}

/// Runs `body` and converts exceptions (bad_alloc above all: large sizes)
/// into an error status.
template <typename Fn> int guarded(const char *fn, Fn body) {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    std::string(fn) + ": out of memory");
  } catch (const std::exception &e) {
    return setError(FLASHRNN_ERROR_INTERNAL,
                    std::string(fn) + ": internal error: " + e.what());
  } catch (...) {
    return setError(FLASHRNN_ERROR_INTERNAL,
                    std::string(fn) + ": internal error");
  }
}

} // namespace

extern "C" {

int flashrnn_abi_version(void) { return FLASHRNN_ABI_VERSION; }

int flashrnn_package_format_version(void) { return kPackageVersion; }

const char *flashrnn_last_error(void) { return lastError.c_str(); }

FlashRnnPackage *flashrnn_package_load(const char *dir) {
  if (!dir) {
    setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
             "flashrnn_package_load: dir is NULL");
    return nullptr;
  }
  FlashRnnPackage *result = nullptr;
  guarded("flashrnn_package_load", [&]() {
    auto *pkg = new FlashRnnPackage();
    pkg->dir = dir;
    std::string error;
    if (!loadManifest(pkg->dir, pkg->manifest, error)) {
      delete pkg;
      return setError(FLASHRNN_ERROR_PACKAGE, error);
    }
    result = pkg;
    lastError.clear();
    return int(FLASHRNN_OK);
  });
  return result;
}

void flashrnn_package_free(FlashRnnPackage *pkg) { delete pkg; }

const char *flashrnn_package_cell(const FlashRnnPackage *pkg) {
  return checkPackage(pkg, __func__) ? pkg->manifest.cell.c_str() : nullptr;
}

const char *flashrnn_package_dtype(const FlashRnnPackage *pkg) {
  return checkPackage(pkg, __func__) ? dtypeName(pkg->manifest.dtype)
                                     : nullptr;
}

int64_t flashrnn_package_head_dim(const FlashRnnPackage *pkg) {
  return checkPackage(pkg, __func__) ? pkg->manifest.headDim : -1;
}

int flashrnn_package_counts(const FlashRnnPackage *pkg, int *wxGates,
                            int *rGates, int *bGates, int *states) {
  if (!checkPackage(pkg, __func__))
    return FLASHRNN_ERROR_INVALID_ARGUMENT;
  const Manifest &m = pkg->manifest;
  if (wxGates)
    *wxGates = m.wxGates;
  if (rGates)
    *rGates = m.rGates;
  if (bGates)
    *bGates = m.bGates;
  if (states)
    *states = m.numStates;
  return FLASHRNN_OK;
}

int flashrnn_package_num_gates(const FlashRnnPackage *pkg) {
  return checkPackage(pkg, __func__) ? int(pkg->manifest.gates.size()) : -1;
}

const char *flashrnn_package_gate_name(const FlashRnnPackage *pkg, int gate) {
  if (!checkPackage(pkg, __func__))
    return nullptr;
  if (gate < 0 || gate >= int(pkg->manifest.gates.size())) {
    setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
             "flashrnn_package_gate_name: gate index " + std::to_string(gate) +
                 " out of range");
    return nullptr;
  }
  return pkg->manifest.gates[gate].name.c_str();
}

const char *flashrnn_package_state_name(const FlashRnnPackage *pkg,
                                        int state) {
  if (!checkPackage(pkg, __func__))
    return nullptr;
  if (state < 0 || state >= pkg->manifest.numStates) {
    setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
             "flashrnn_package_state_name: state index " +
                 std::to_string(state) + " out of range");
    return nullptr;
  }
  return pkg->manifest.states[state].name.c_str();
}

int flashrnn_package_recurrent_state(const FlashRnnPackage *pkg) {
  return checkPackage(pkg, __func__) ? pkg->manifest.recurrentState : -1;
}

int flashrnn_package_uses_stop_gradient(const FlashRnnPackage *pkg) {
  return checkPackage(pkg, __func__) ? int(pkg->manifest.usesStopGradient())
                                     : 0;
}

int flashrnn_round_to_dtype(const FlashRnnPackage *pkg, double *values,
                            int64_t n) {
  if (!checkPackage(pkg, __func__))
    return FLASHRNN_ERROR_INVALID_ARGUMENT;
  if (n < 0 || (n > 0 && !values))
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_round_to_dtype: bad buffer");
  for (int64_t i = 0; i < n; ++i)
    values[i] = roundToDType(values[i], pkg->manifest.dtype);
  return FLASHRNN_OK;
}

int flashrnn_reference_forward(const FlashRnnPackage *pkg, int64_t batch,
                               int64_t seq, int64_t heads, const double *wx,
                               const double *r, const double *b,
                               const double *s0, double *states,
                               double *last) {
  if (!checkPackage(pkg, __func__))
    return FLASHRNN_ERROR_INVALID_ARGUMENT;
  const Manifest &m = pkg->manifest;
  // R and b may be NULL when the cell has no rows in them (empty tensors).
  if (!wx || (!r && m.rGates) || (!b && m.bGates) || !states || !last)
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_reference_forward: wx, r, b, states and last "
                    "must not be NULL");
  return guarded(__func__, [&]() {
    std::string error;
    RunDims d{batch, seq, heads};
    if (!referenceForward(m, d, wx, r, b, s0, states, last, error))
      return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                      std::string("flashrnn_reference_forward: ") + error);
    return int(FLASHRNN_OK);
  });
}

int flashrnn_reference_backward(const FlashRnnPackage *pkg, int64_t batch,
                                int64_t seq, int64_t heads, const double *wx,
                                const double *r, const double *b,
                                const double *s0, const double *states,
                                const double *dstates, const double *dlast,
                                double *dwx, double *dr, double *db,
                                double *ds0) {
  if (!checkPackage(pkg, __func__))
    return FLASHRNN_ERROR_INVALID_ARGUMENT;
  const Manifest &m = pkg->manifest;
  if (!wx || (!r && m.rGates) || (!b && m.bGates) || !dwx ||
      (!dr && m.rGates) || (!db && m.bGates) || !ds0)
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_reference_backward: wx, r, b, dwx, dr, db and "
                    "ds0 must not be NULL");
  return guarded(__func__, [&]() {
    std::string error;
    RunDims d{batch, seq, heads};
    if (!referenceBackward(m, d, wx, r, b, s0, states, dstates,
                           dlast, dwx, dr, db, ds0, error))
      return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                      std::string("flashrnn_reference_backward: ") + error);
    return int(FLASHRNN_OK);
  });
}

void flashrnn_set_reference_threads(int threads) {
  setReferenceThreads(threads > 0 ? unsigned(threads) : 0u);
}

//===----------------------------------------------------------------------===//
// CUDA backend
//===----------------------------------------------------------------------===//

int flashrnn_cuda_available(void) {
  int available = 0;
  guarded(__func__, [&]() {
    std::string why;
    if (!cuda::cudaAvailable(why))
      return setError(FLASHRNN_ERROR_UNAVAILABLE, why);
    available = 1;
    lastError.clear();
    return int(FLASHRNN_OK);
  });
  return available;
}

int flashrnn_cuda_device_name(char *buffer, size_t size) {
  if (!buffer || size == 0)
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_cuda_device_name: buffer is NULL or empty");
  buffer[0] = '\0';
  return guarded(__func__, [&]() {
    std::string why;
    if (!cuda::cudaAvailable(why))
      return setError(FLASHRNN_ERROR_UNAVAILABLE, why);
    std::string name = cuda::cudaDeviceSummary();
    size_t n = std::min(name.size(), size - 1);
    std::memcpy(buffer, name.data(), n);
    buffer[n] = '\0';
    return int(FLASHRNN_OK);
  });
}

int flashrnn_package_has_gpu_forward(const FlashRnnPackage *pkg) {
  if (!checkPackage(pkg, __func__))
    return -1;
  int result = -1;
  guarded(__func__, [&]() {
    std::vector<cuda::KernelSpec> specs;
    std::string error;
    if (!cuda::loadKernelSpecs(pkg->dir, pkg->manifest, specs, error))
      return setError(FLASHRNN_ERROR_PACKAGE, error);
    result = cuda::findKernel(specs, "forward") ? 1 : 0;
    if (!result)
      setError(FLASHRNN_ERROR_UNAVAILABLE,
               pkg->dir + ": the package has no forward GPU kernel");
    return int(FLASHRNN_OK);
  });
  return result;
}

int flashrnn_gpu_forward(const FlashRnnPackage *pkg, int64_t batch,
                         int64_t seq, int64_t heads, const double *wx,
                         const double *r, const double *b, const double *s0,
                         double *states, double *last, int repeat,
                         double *medianMs) {
  if (!checkPackage(pkg, __func__))
    return FLASHRNN_ERROR_INVALID_ARGUMENT;
  const Manifest &m = pkg->manifest;
  if (!wx || (!r && m.rGates) || (!b && m.bGates) || !states || !last)
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_gpu_forward: wx, r, b, states and last must not "
                    "be NULL");
  if (repeat < 0)
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_gpu_forward: repeat must be >= 0");
  return guarded(__func__, [&]() {
    // Classify failures: the package first (the same answer on any
    // machine), then the driver, then what happened on the device.
    std::string error;
    std::vector<cuda::KernelSpec> specs;
    if (!cuda::loadKernelSpecs(pkg->dir, m, specs, error))
      return setError(FLASHRNN_ERROR_PACKAGE,
                      std::string("flashrnn_gpu_forward: ") + error);
    if (!cuda::findKernel(specs, "forward"))
      return setError(FLASHRNN_ERROR_UNAVAILABLE,
                      "flashrnn_gpu_forward: " + pkg->dir +
                          ": the package has no forward GPU kernel");
    if (!cuda::cudaAvailable(error))
      return setError(FLASHRNN_ERROR_UNAVAILABLE,
                      std::string("flashrnn_gpu_forward: ") + error);
    cuda::GpuTiming timing;
    timing.repeat = medianMs ? repeat : 0;
    cuda::GpuForwardReport report;
    if (!cuda::gpuForward(m, pkg->dir, RunDims{batch, seq, heads}, wx, r, b,
                          s0, states, last, timing, report, error))
      return setError(FLASHRNN_ERROR_DEVICE,
                      std::string("flashrnn_gpu_forward: ") + error);
    if (medianMs)
      *medianMs = report.medianMs;
    lastKernel = report.entry;
    lastError.clear();
    return int(FLASHRNN_OK);
  });
}

int flashrnn_package_has_gpu_backward(const FlashRnnPackage *pkg) {
  if (!checkPackage(pkg, __func__))
    return -1;
  int result = -1;
  guarded(__func__, [&]() {
    std::vector<cuda::KernelSpec> specs;
    std::string error, missing;
    if (!cuda::loadKernelSpecs(pkg->dir, pkg->manifest, specs, error))
      return setError(FLASHRNN_ERROR_PACKAGE, error);
    cuda::TrainingKernels kernels;
    result = cuda::findTrainingKernels(specs, kernels, missing) ? 1 : 0;
    if (!result)
      setError(FLASHRNN_ERROR_UNAVAILABLE,
               pkg->dir + ": the package has no GPU backward kernels (no " +
                   "`kernels` entry of kind \"" + missing + "\")");
    return int(FLASHRNN_OK);
  });
  return result;
}

int flashrnn_gpu_backward(const FlashRnnPackage *pkg, int64_t batch,
                          int64_t seq, int64_t heads, const double *wx,
                          const double *r, const double *b, const double *s0,
                          const double *dstates, const double *dlast,
                          double *states, double *last, double *dwx,
                          double *dr, double *db, double *ds0, int repeat,
                          double *medianMs) {
  if (!checkPackage(pkg, __func__))
    return FLASHRNN_ERROR_INVALID_ARGUMENT;
  const Manifest &m = pkg->manifest;
  if (!wx || (!r && m.rGates) || (!b && m.bGates) || !states || !last ||
      !dwx || (!dr && m.rGates) || (!db && m.bGates) || !ds0)
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_gpu_backward: wx, r, b, states, last, dwx, dr, "
                    "db and ds0 must not be NULL");
  if (repeat < 0)
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_gpu_backward: repeat must be >= 0");
  return guarded(__func__, [&]() {
    // The same classification as flashrnn_gpu_forward.
    std::string error, missing;
    std::vector<cuda::KernelSpec> specs;
    if (!cuda::loadKernelSpecs(pkg->dir, m, specs, error))
      return setError(FLASHRNN_ERROR_PACKAGE,
                      std::string("flashrnn_gpu_backward: ") + error);
    cuda::TrainingKernels kernels;
    if (!cuda::findTrainingKernels(specs, kernels, missing))
      return setError(FLASHRNN_ERROR_UNAVAILABLE,
                      "flashrnn_gpu_backward: " + pkg->dir +
                          ": the package has no GPU backward kernels (no "
                          "`kernels` entry of kind \"" +
                          missing + "\")");
    if (!cuda::cudaAvailable(error))
      return setError(FLASHRNN_ERROR_UNAVAILABLE,
                      std::string("flashrnn_gpu_backward: ") + error);
    cuda::GpuTiming timing;
    timing.repeat = medianMs ? repeat : 0;
    timing.overlapReduce = overlapReduce;
    cuda::GpuBackwardReport report;
    if (!cuda::gpuBackward(m, pkg->dir, RunDims{batch, seq, heads}, wx, r, b,
                           s0, dstates, dlast, states, last, dwx, dr, db, ds0,
                           timing, report, error))
      return setError(FLASHRNN_ERROR_DEVICE,
                      std::string("flashrnn_gpu_backward: ") + error);
    if (medianMs)
      *medianMs = report.medianMs;
    lastOverlapped = report.reduceOverlapped ? 1 : 0;
    lastKernel = report.forwardTrain.entry;
    if (timing.repeat > 0) {
      lastSplitMs[0] = report.forwardTrainMs;
      lastSplitMs[1] = report.backwardMs;
      lastSplitMs[2] = report.reduceMs;
    }
    lastError.clear();
    return int(FLASHRNN_OK);
  });
}

void flashrnn_gpu_set_reduce_overlap(int enabled) {
  overlapReduce = enabled != 0;
}

int flashrnn_gpu_backward_overlapped(void) { return lastOverlapped; }

const char *flashrnn_gpu_last_kernel(void) { return lastKernel.c_str(); }

void flashrnn_gpu_backward_split(double *forwardTrainMs, double *backwardMs,
                                 double *reduceMs) {
  if (forwardTrainMs)
    *forwardTrainMs = lastSplitMs[0];
  if (backwardMs)
    *backwardMs = lastSplitMs[1];
  if (reduceMs)
    *reduceMs = lastSplitMs[2];
}

} // extern "C"

namespace {

/// The buffer arguments of `kind` for the device entry points.
int kernelArgs(FlashRnnPackage *pkg, const char *fn, const char *kind,
               int64_t batch, int64_t seq, int64_t heads,
               std::vector<cuda::DeviceArg> &args) {
  if (!checkPackage(pkg, fn))
    return FLASHRNN_ERROR_INVALID_ARGUMENT;
  if (!kind)
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    std::string(fn) + ": kind is NULL");
  std::string error;
  const std::vector<cuda::KernelSpec> *specs = nullptr;
  cuda::DeviceLauncher &launcher = pkg->deviceLauncher();
  if (!launcher.specs(specs, error))
    return setError(FLASHRNN_ERROR_PACKAGE, std::string(fn) + ": " + error);
  if (!cuda::deviceArgs(pkg->manifest, *specs, kind, batch, seq, heads, args,
                        error))
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    std::string(fn) + ": " + error);
  return FLASHRNN_OK;
}

/// Interned strings for the C ABI (names and dtypes live as long as the
/// library).
const char *intern(const std::string &s) {
  static std::mutex mutex;
  static std::set<std::string> strings;
  std::lock_guard<std::mutex> lock(mutex);
  return strings.insert(s).first->c_str();
}

} // namespace

extern "C" {

int flashrnn_kernel_num_args(const FlashRnnPackage *pkg, const char *kind) {
  int result = -1;
  const char *fn = __func__; // not the lambda's
  guarded(fn, [&]() {
    std::vector<cuda::DeviceArg> args;
    // Sizes 1 x 1 x 1: the list of arguments does not depend on them.
    int rc = kernelArgs(const_cast<FlashRnnPackage *>(pkg), fn, kind, 1, 1,
                        1, args);
    if (rc == FLASHRNN_OK) {
      result = int(args.size());
      lastError.clear();
    }
    return rc;
  });
  return result;
}

int flashrnn_kernel_arg(const FlashRnnPackage *pkg, const char *kind,
                        int64_t batch, int64_t seq, int64_t heads, int index,
                        const char **name, int *rank, int64_t *shape,
                        const char **dtype) {
  const char *fn = __func__;
  return guarded(fn, [&]() {
    std::vector<cuda::DeviceArg> args;
    int rc = kernelArgs(const_cast<FlashRnnPackage *>(pkg), fn, kind, batch,
                        seq, heads, args);
    if (rc != FLASHRNN_OK)
      return rc;
    if (index < 0 || size_t(index) >= args.size())
      return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                      std::string(fn) + ": index " +
                          std::to_string(index) + " out of range (the " +
                          kind + " kernel has " +
                          std::to_string(args.size()) + " buffer arguments)");
    const cuda::DeviceArg &a = args[size_t(index)];
    if (name)
      *name = intern(a.name);
    if (rank)
      *rank = int(a.shape.size());
    if (shape)
      std::copy(a.shape.begin(), a.shape.end(), shape);
    if (dtype)
      *dtype = intern(a.dtype);
    lastError.clear();
    return int(FLASHRNN_OK);
  });
}

int flashrnn_launch_device(const FlashRnnPackage *pkg, const char *kind,
                           int64_t batch, int64_t seq, int64_t heads,
                           int numBuffers, const char **names,
                           void **devicePointers, void *stream) {
  if (!checkPackage(pkg, __func__))
    return FLASHRNN_ERROR_INVALID_ARGUMENT;
  if (!kind)
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_launch_device: kind is NULL");
  if (numBuffers < 0 || (numBuffers && (!names || !devicePointers)))
    return setError(FLASHRNN_ERROR_INVALID_ARGUMENT,
                    "flashrnn_launch_device: num_buffers must be >= 0 and "
                    "names and device_pointers non-NULL");
  return guarded(__func__, [&]() {
    std::string error;
    bool deviceError = false;
    auto *p = const_cast<FlashRnnPackage *>(pkg);
    if (!p->deviceLauncher().launch(kind, batch, seq, heads, numBuffers,
                                    names, devicePointers,
                                    static_cast<cuda::CuStream>(stream),
                                    error, deviceError)) {
      // No driver or GPU is "unavailable", like the other GPU entries.
      int status = !deviceError && error.rfind("no ", 0) == 0 &&
                           error.find("CUDA") != std::string::npos
                       ? FLASHRNN_ERROR_UNAVAILABLE
                   : deviceError ? FLASHRNN_ERROR_DEVICE
                                 : FLASHRNN_ERROR_INVALID_ARGUMENT;
      return setError(status, "flashrnn_launch_device: " + error);
    }
    lastError.clear();
    return int(FLASHRNN_OK);
  });
}

} // extern "C"
