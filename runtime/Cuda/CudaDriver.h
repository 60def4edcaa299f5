//===- CudaDriver.h - The CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// The runtime never links libcuda: its binaries must start (and say clearly
// that there is no GPU) on machines without an NVIDIA driver, and it must
// build where the CUDA toolkit is absent. So it declares the few driver types
// and enum values it uses itself (checked against cuda.h in CudaDriver.cpp
// when that header is available), and loads the entry points with dlopen/dlsym
// from libcuda.so.1 on first use.
//
// Errors: every failing driver call becomes a CudaError whose message is
// "<call name> failed: CUDA_ERROR_X: <driver's description>" plus context.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_CUDA_CUDADRIVER_H
#define FLASHRNN_RUNTIME_CUDA_CUDADRIVER_H

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace flashrnn {
namespace cuda {

//===----------------------------------------------------------------------===//
// The driver API's types and the enum values used here (ABI of cuda.h).
//===----------------------------------------------------------------------===//

using CuResult = int;                       // CUresult
using CuDevice = int;                       // CUdevice
using CuDevicePtr = uint64_t;               // CUdeviceptr (64-bit builds only)
using CuContext = struct CuContextOpaque *; // CUcontext
using CuModule = struct CuModuleOpaque *;   // CUmodule
using CuFunction = struct CuFunctionOpaque *; // CUfunction
using CuStream = struct CuStreamOpaque *;     // CUstream (null: legacy stream)
using CuEvent = struct CuEventOpaque *;       // CUevent

constexpr CuResult kCudaSuccess = 0;         // CUDA_SUCCESS
constexpr CuResult kCudaErrorNoDevice = 100; // CUDA_ERROR_NO_DEVICE

// CUdevice_attribute values.
enum DeviceAttribute : int {
  kAttrMaxThreadsPerBlock = 1,            // MAX_THREADS_PER_BLOCK
  kAttrMaxGridDimY = 6,                   // MAX_GRID_DIM_Y
  kAttrMaxGridDimZ = 7,                   // MAX_GRID_DIM_Z
  kAttrMultiprocessorCount = 16,          // MULTIPROCESSOR_COUNT
  kAttrComputeCapabilityMajor = 75,       // COMPUTE_CAPABILITY_MAJOR
  kAttrComputeCapabilityMinor = 76,       // COMPUTE_CAPABILITY_MINOR
  kAttrCooperativeLaunch = 95,            // COOPERATIVE_LAUNCH
  kAttrMaxSharedMemoryPerBlockOptin = 97, // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
};

// CUfunction_attribute values.
enum FunctionAttribute : int {
  kFuncAttrMaxDynamicSharedSizeBytes = 8, // MAX_DYNAMIC_SHARED_SIZE_BYTES
  kFuncAttrRequiredClusterWidth = 11,     // REQUIRED_CLUSTER_WIDTH
  kFuncAttrNonPortableClusterSizeAllowed =
      14, // NON_PORTABLE_CLUSTER_SIZE_ALLOWED
};

/// The largest thread-block cluster every sm_90 launch may have; larger
/// ones (up to 16 on H100/H200) need the function's opt-in.
constexpr int kPortableClusterCtas = 8;

// CUjit_option values (cuModuleLoadDataEx).
enum JitOption : int {
  kJitInfoLogBuffer = 3,           // CU_JIT_INFO_LOG_BUFFER
  kJitInfoLogBufferSizeBytes = 4,  // CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES
  kJitErrorLogBuffer = 5,          // CU_JIT_ERROR_LOG_BUFFER
  kJitErrorLogBufferSizeBytes = 6, // CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
  kJitLogVerbose = 12,             // CU_JIT_LOG_VERBOSE
};

constexpr unsigned kEventDefault = 0; // CU_EVENT_DEFAULT

/// CUlaunchConfig (cuda.h, CUDA 12): a launch's shape, here only for the
/// occupancy query of thread-block clusters (no attributes: the kernels
/// carry their cluster shape in the PTX).
struct LaunchConfig {
  unsigned gridDimX = 1, gridDimY = 1, gridDimZ = 1;
  unsigned blockDimX = 1, blockDimY = 1, blockDimZ = 1;
  unsigned sharedMemBytes = 0;
  struct CuStreamOpaque *stream = nullptr;
  void *attrs = nullptr;
  unsigned numAttrs = 0;
};

/// The entry points, as function pointers filled by dlsym. Each member is
/// named after the driver symbol it holds (without the "cu" prefix).
struct DriverApi {
  CuResult (*init)(unsigned flags) = nullptr;
  CuResult (*driverGetVersion)(int *version) = nullptr;
  CuResult (*deviceGet)(CuDevice *device, int ordinal) = nullptr;
  CuResult (*deviceGetCount)(int *count) = nullptr;
  CuResult (*deviceGetAttribute)(int *value, int attribute,
                                 CuDevice device) = nullptr;
  CuResult (*deviceGetName)(char *name, int length, CuDevice device) = nullptr;
  CuResult (*devicePrimaryCtxRetain)(CuContext *context,
                                     CuDevice device) = nullptr;
  CuResult (*ctxSetCurrent)(CuContext context) = nullptr;
  CuResult (*ctxSynchronize)() = nullptr;
  CuResult (*ctxGetCurrent)(CuContext *context) = nullptr;
  CuResult (*moduleLoadDataEx)(CuModule *module, const void *image,
                               unsigned numOptions, int *options,
                               void **optionValues) = nullptr;
  CuResult (*moduleGetFunction)(CuFunction *function, CuModule module,
                                const char *name) = nullptr;
  CuResult (*moduleUnload)(CuModule module) = nullptr;
  CuResult (*funcSetAttribute)(CuFunction function, int attribute,
                               int value) = nullptr;
  CuResult (*funcGetAttribute)(int *value, int attribute,
                               CuFunction function) = nullptr;
  CuResult (*occupancyMaxActiveBlocksPerMultiprocessor)(
      int *numBlocks, CuFunction function, int blockSize,
      size_t dynamicSharedBytes) = nullptr;
  CuResult (*memAlloc)(CuDevicePtr *pointer, size_t bytes) = nullptr;
  CuResult (*memFree)(CuDevicePtr pointer) = nullptr;
  CuResult (*memcpyHtoD)(CuDevicePtr dst, const void *src,
                         size_t bytes) = nullptr;
  CuResult (*memcpyDtoH)(void *dst, CuDevicePtr src, size_t bytes) = nullptr;
  CuResult (*memsetD8)(CuDevicePtr dst, unsigned char value,
                       size_t count) = nullptr;
  CuResult (*memsetD32Async)(CuDevicePtr dst, unsigned value, size_t count,
                             CuStream stream) = nullptr;
  CuResult (*memGetInfo)(size_t *freeBytes, size_t *totalBytes) = nullptr;
  CuResult (*launchKernel)(CuFunction function, unsigned gridX, unsigned gridY,
                           unsigned gridZ, unsigned blockX, unsigned blockY,
                           unsigned blockZ, unsigned sharedBytes,
                           CuStream stream, void **params,
                           void **extra) = nullptr;
  CuResult (*launchCooperativeKernel)(CuFunction function, unsigned gridX,
                                      unsigned gridY, unsigned gridZ,
                                      unsigned blockX, unsigned blockY,
                                      unsigned blockZ, unsigned sharedBytes,
                                      CuStream stream, void **params) = nullptr;
  CuResult (*eventCreate)(CuEvent *event, unsigned flags) = nullptr;
  CuResult (*eventRecord)(CuEvent event, CuStream stream) = nullptr;
  CuResult (*eventSynchronize)(CuEvent event) = nullptr;
  CuResult (*eventElapsedTime)(float *milliseconds, CuEvent start,
                               CuEvent end) = nullptr;
  CuResult (*eventDestroy)(CuEvent event) = nullptr;
  CuResult (*getErrorName)(CuResult error, const char **name) = nullptr;
  CuResult (*getErrorString)(CuResult error, const char **text) = nullptr;
  // Optional (null where the driver lacks them): a second stream and the
  // stream-ordered wait on a device word, with which the training pass runs
  // the reduction beside the backward (GpuBackward.cpp); without them it
  // runs the two kernels one after the other.
  CuResult (*streamCreate)(CuStream *stream, unsigned flags) = nullptr;
  CuResult (*streamDestroy)(CuStream stream) = nullptr;
  CuResult (*streamWaitEvent)(CuStream stream, CuEvent event,
                              unsigned flags) = nullptr;
  CuResult (*streamWaitValue32)(CuStream stream, CuDevicePtr address,
                                uint32_t value, unsigned flags) = nullptr;
  // Optional (CUDA 12): how many clusters of a cluster kernel are resident
  // at once, with which a batch variant's waves are counted (GpuLaunch.cpp);
  // without it the runtime keeps the manifest's choice.
  CuResult (*occupancyMaxActiveClusters)(int *numClusters, CuFunction function,
                                         const LaunchConfig *config) = nullptr;
  bool hasStreamWaits() const {
    return streamCreate && streamDestroy && streamWaitEvent &&
           streamWaitValue32;
  }
};

/// CU_STREAM_NON_BLOCKING, CU_STREAM_WAIT_VALUE_GEQ.
constexpr unsigned kStreamNonBlocking = 0x1;
constexpr unsigned kStreamWaitValueGeq = 0x0;

/// A failed driver call (or a GPU-side condition such as "does not fit").
class CudaError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What the runtime knows about device 0.
struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  int ccMajor = 0, ccMinor = 0;
  int multiprocessors = 0;
  int maxThreadsPerBlock = 0;
  int maxGridDimY = 0, maxGridDimZ = 0;
  int maxSharedPerBlockOptin = 0;
  bool cooperativeLaunch = false;
  int driverVersion = 0; // e.g. 12040 for 12.4
  size_t totalMemory = 0;
};

/// The process-wide driver: libcuda.so.1 loaded, cuInit done, the primary
/// context of device 0 retained and current on the calling thread. It is
/// created once and kept for the life of the process (the primary context
/// is shared with anything else in the process that uses the driver API or
/// the CUDA runtime, as the runtime API itself does).
class Driver {
public:
  /// The driver, or null with `why` set ("no CUDA driver: libcuda.so.1 not
  /// found (this machine has no NVIDIA driver)", "no CUDA device: ...").
  /// The first call does the loading; later calls return the same answer.
  /// With `makeCurrent` false the calling thread's current context is left
  /// as it is (launches on a framework's buffers run in its context, which
  /// may be another device's), also on the first call.
  static Driver *get(std::string &why, bool makeCurrent = true);

  const DriverApi &api() const { return fns; }
  const DeviceInfo &device() const { return info; }

  /// Makes the primary context current on the calling thread (contexts are
  /// per thread; callers may come from any thread).
  void makeCurrent() const;

  /// The calling thread's current context (null if none).
  CuContext currentContext() const;

  /// "CUDA_ERROR_OUT_OF_MEMORY: out of memory" for a result code.
  std::string describe(CuResult result) const;

  /// Throws CudaError("<call> failed: CUDA_ERROR_X: <text><context>") if
  /// `result` is not success.
  void check(CuResult result, const char *call,
             const std::string &context = "") const;

private:
  Driver() = default;
  bool load(std::string &why);

  void *library = nullptr;
  DriverApi fns;
  DeviceInfo info;
  CuContext context = nullptr;
};

//===----------------------------------------------------------------------===//
// RAII owners. Destructors never throw; a failure to free is ignored (after a
// sticky error such as an illegal address, every call fails and there is
// nothing better to do).
//===----------------------------------------------------------------------===//

/// Device memory.
class DeviceBuffer {
public:
  DeviceBuffer() = default;
  /// Allocates `bytes` (at least 1) for the tensor named `what`; an out of
  /// memory error names the size and what was free.
  DeviceBuffer(const Driver &driver, size_t bytes, const std::string &what);
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  DeviceBuffer(DeviceBuffer &&other) noexcept { *this = std::move(other); }
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  ~DeviceBuffer() { reset(); }

  CuDevicePtr get() const { return pointer; }
  size_t size() const { return bytes; }
  void reset();

private:
  const Driver *driver = nullptr;
  CuDevicePtr pointer = 0;
  size_t bytes = 0;
};

/// A loaded module (PTX JIT-compiled by the driver).
class Module {
public:
  /// Loads PTX text; a JIT failure carries ptxas' error log. `what` names
  /// the file in messages.
  Module(const Driver &driver, const std::string &ptx, const std::string &what);
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  ~Module();

  CuFunction function(const std::string &entry) const;
  /// ptxas' informational log (registers, spills) of the load.
  const std::string &infoLog() const { return info; }

private:
  const Driver &driver;
  CuModule module = nullptr;
  std::string what, info;
};

/// A CUDA event (timing).
class Event {
public:
  explicit Event(const Driver &driver);
  Event(const Event &) = delete;
  Event &operator=(const Event &) = delete;
  ~Event();
  CuEvent get() const { return event; }

private:
  const Driver &driver;
  CuEvent event = nullptr;
};

/// A non-blocking stream (it does not wait for the legacy stream), destroyed
/// with the object. Needs driver.api().hasStreamWaits().
class Stream {
public:
  explicit Stream(const Driver &driver);
  Stream(const Stream &) = delete;
  Stream &operator=(const Stream &) = delete;
  ~Stream();
  CuStream get() const { return stream; }

private:
  const Driver &driver;
  CuStream stream = nullptr;
};

} // namespace cuda
} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_CUDA_CUDADRIVER_H
