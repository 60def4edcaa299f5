//===- GpuDevice.h - Launches on the caller's device buffers ----*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// The entry point frameworks (the PyTorch binding, python/flashrnn_mlir)
// use: one kernel kind launched asynchronously on buffers the caller owns,
// on the caller's stream, in the caller's current context. Nothing is
// allocated, copied or synchronised here: the framework allocates the public
// tensors and the workspaces (their shapes come from deviceArgs), and stream
// order sequences the kinds (forward_train, backward, backward_reduce).
// What it does do is what the launch contract leaves to the runtime: the
// memref descriptors, `batch_begin`, zeroing `sync` before every launch (on
// the stream), the co-residency check and batch split of cooperative
// kernels, and the dynamic shared memory opt-in. Loaded modules and planned
// kernels are cached per package, context and sizes.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_CUDA_GPUDEVICE_H
#define FLASHRNN_RUNTIME_CUDA_GPUDEVICE_H

#include "runtime/Cuda/CudaDriver.h"
#include "runtime/Cuda/GpuLaunch.h"
#include "runtime/Cuda/KernelSpec.h"
#include "runtime/Manifest.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace flashrnn {
namespace cuda {

/// One buffer argument of a kernel kind (the i32 `batch_begin` is the
/// runtime's and not listed).
struct DeviceArg {
  std::string name;           // "wx", "saved_gates", "sync", ...
  std::vector<int64_t> shape; // row-major, dense
  std::string dtype;          // the package dtype, "f32" or "i32"
};

/// The buffer arguments of the package's kernel of `kind` (forward,
/// forward_train, backward, backward_reduce) for sizes B, T, NH, in the
/// kernel's parameter order. The training kinds need all three training
/// kernels (their shapes depend on each other's schedules). Pure: no GPU.
bool deviceArgs(const Manifest &m, const std::vector<KernelSpec> &specs,
                const std::string &kind, int64_t batch, int64_t seq,
                int64_t heads, std::vector<DeviceArg> &args,
                std::string &error);

/// Launches a package's kernels on caller-owned buffers; one per package,
/// thread-safe.
class DeviceLauncher {
public:
  DeviceLauncher(const Manifest &m, const std::string &packageDir)
      : m(m), packageDir(packageDir) {}

  /// The package's validated kernel entries (loaded on first use; they
  /// stay valid for the launcher's life).
  bool specs(const std::vector<KernelSpec> *&out, std::string &error);

  /// Launches the kernel of `kind` for B, T, NH with the named device
  /// buffers (`names[i]` -> `pointers[i]`; every buffer argument of the kind
  /// exactly once, null only for an empty tensor) on `stream`, in the
  /// calling thread's current context (device 0's primary context when
  /// none is current). Returns false with `error` set; `deviceError` tells
  /// a CUDA failure from a bad argument.
  bool launch(const std::string &kind, int64_t batch, int64_t seq,
              int64_t heads, int numBuffers, const char *const *names,
              void *const *pointers, CuStream stream, std::string &error,
              bool &deviceError);

private:
  bool specsLocked(const std::vector<KernelSpec> *&out, std::string &error);

  const Manifest &m;
  std::string packageDir;
  std::mutex mutex;
  bool loaded = false;
  std::string loadError;
  std::vector<KernelSpec> kernelSpecs;
  // Modules are per context; planned kernels per context, kind and the
  // sizes their launch plan depends on (B, NH).
  std::map<CuContext, std::unique_ptr<ModuleCache>> modules;
  std::map<std::tuple<CuContext, std::string, int64_t, int64_t>,
           std::unique_ptr<PreparedKernel>>
      prepared;
};

} // namespace cuda
} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_CUDA_GPUDEVICE_H
