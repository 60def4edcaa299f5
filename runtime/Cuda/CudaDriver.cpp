//===- CudaDriver.cpp - The CUDA driver API, loaded at run time -----------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Cuda/CudaDriver.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <sstream>
#include <vector>

// Where the toolkit's header is available (the build adds its directory to
// this file only, when it finds one), check that the values declared by hand
// in CudaDriver.h are cuda.h's. The runtime itself never needs the header.
#if defined(__has_include)
#if __has_include(<cuda.h>)
#include <cuda.h>
#define FLASHRNN_HAVE_CUDA_H 1
#endif
#endif

#ifdef FLASHRNN_HAVE_CUDA_H
namespace {
using namespace flashrnn::cuda;
static_assert(kCudaSuccess == CUDA_SUCCESS, "CUDA_SUCCESS");
static_assert(kCudaErrorNoDevice == CUDA_ERROR_NO_DEVICE,
              "CUDA_ERROR_NO_DEVICE");
static_assert(sizeof(CuResult) == sizeof(CUresult), "CUresult size");
static_assert(sizeof(CuDevice) == sizeof(CUdevice), "CUdevice size");
static_assert(sizeof(CuDevicePtr) == sizeof(CUdeviceptr), "CUdeviceptr size");
static_assert(sizeof(CuContext) == sizeof(CUcontext), "CUcontext size");
static_assert(int(kAttrMaxThreadsPerBlock) ==
                  int(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK),
              "MAX_THREADS_PER_BLOCK");
static_assert(int(kAttrMaxGridDimY) == int(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y),
              "MAX_GRID_DIM_Y");
static_assert(int(kAttrMaxGridDimZ) == int(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z),
              "MAX_GRID_DIM_Z");
static_assert(int(kAttrMultiprocessorCount) ==
                  int(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
              "MULTIPROCESSOR_COUNT");
static_assert(int(kAttrComputeCapabilityMajor) ==
                  int(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
              "COMPUTE_CAPABILITY_MAJOR");
static_assert(int(kAttrComputeCapabilityMinor) ==
                  int(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
              "COMPUTE_CAPABILITY_MINOR");
static_assert(int(kAttrCooperativeLaunch) ==
                  int(CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH),
              "COOPERATIVE_LAUNCH");
static_assert(int(kAttrMaxSharedMemoryPerBlockOptin) ==
                  int(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
              "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN");
static_assert(int(kFuncAttrMaxDynamicSharedSizeBytes) ==
                  int(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES),
              "MAX_DYNAMIC_SHARED_SIZE_BYTES");
static_assert(int(kFuncAttrRequiredClusterWidth) ==
                  int(CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH),
              "REQUIRED_CLUSTER_WIDTH");
static_assert(int(kFuncAttrNonPortableClusterSizeAllowed) ==
                  int(CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED),
              "NON_PORTABLE_CLUSTER_SIZE_ALLOWED");
static_assert(int(kJitInfoLogBuffer) == int(CU_JIT_INFO_LOG_BUFFER),
              "JIT option");
static_assert(int(kJitInfoLogBufferSizeBytes) ==
                  int(CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES),
              "JIT option");
static_assert(int(kJitErrorLogBuffer) == int(CU_JIT_ERROR_LOG_BUFFER),
              "JIT option");
static_assert(int(kJitErrorLogBufferSizeBytes) ==
                  int(CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES),
              "JIT option");
static_assert(int(kJitLogVerbose) == int(CU_JIT_LOG_VERBOSE), "JIT option");
static_assert(kEventDefault == CU_EVENT_DEFAULT, "CU_EVENT_DEFAULT");
// The enums are passed where the driver takes its enum types: they must
// have int's size.
static_assert(sizeof(CUdevice_attribute) == sizeof(int), "enum size");
static_assert(sizeof(CUjit_option) == sizeof(int), "enum size");
#if CUDA_VERSION >= 12000
// LaunchConfig is handed to cuOccupancyMaxActiveClusters as a CUlaunchConfig.
static_assert(sizeof(LaunchConfig) == sizeof(CUlaunchConfig),
              "CUlaunchConfig size");
static_assert(offsetof(LaunchConfig, sharedMemBytes) ==
                  offsetof(CUlaunchConfig, sharedMemBytes),
              "CUlaunchConfig layout");
static_assert(offsetof(LaunchConfig, stream) ==
                  offsetof(CUlaunchConfig, hStream),
              "CUlaunchConfig layout");
static_assert(offsetof(LaunchConfig, numAttrs) ==
                  offsetof(CUlaunchConfig, numAttrs),
              "CUlaunchConfig layout");
#endif
} // namespace
#endif

namespace flashrnn {
namespace cuda {

namespace {

/// One entry of the symbol table: the member to fill and the symbol names
/// to try, newest first (a driver older than the toolkit lacks the _v2 of
/// cuEventElapsedTime, for example).
struct Symbol {
  void **slot;
  std::vector<const char *> names;
};

template <typename Fn> void **slotOf(Fn *&member) {
  return reinterpret_cast<void **>(&member);
}

/// The driver library: FLASHRNN_LIBCUDA when set (a non-standard install,
/// or the tests' way to point at a missing or wrong library), else the
/// soname the driver package installs.
std::string libraryName() {
  const char *env = std::getenv("FLASHRNN_LIBCUDA");
  return env && *env ? env : "libcuda.so.1";
}

} // namespace

bool Driver::load(std::string &why) {
  std::string name = libraryName();
  library = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *err = ::dlerror();
    if (name == "libcuda.so.1")
      why = "no CUDA driver: libcuda.so.1 not found (this machine has no "
            "NVIDIA driver)";
    else
      why = "no CUDA driver: cannot load " + name + " (set by " +
            "FLASHRNN_LIBCUDA)" + (err ? ": " + std::string(err) : "");
    return false;
  }

  DriverApi &f = fns;
  const Symbol symbols[] = {
      {slotOf(f.init), {"cuInit"}},
      {slotOf(f.driverGetVersion), {"cuDriverGetVersion"}},
      {slotOf(f.deviceGet), {"cuDeviceGet"}},
      {slotOf(f.deviceGetCount), {"cuDeviceGetCount"}},
      {slotOf(f.deviceGetAttribute), {"cuDeviceGetAttribute"}},
      {slotOf(f.deviceGetName), {"cuDeviceGetName"}},
      {slotOf(f.devicePrimaryCtxRetain), {"cuDevicePrimaryCtxRetain"}},
      {slotOf(f.ctxSetCurrent), {"cuCtxSetCurrent"}},
      {slotOf(f.ctxSynchronize), {"cuCtxSynchronize"}},
      {slotOf(f.ctxGetCurrent), {"cuCtxGetCurrent"}},
      {slotOf(f.moduleLoadDataEx), {"cuModuleLoadDataEx"}},
      {slotOf(f.moduleGetFunction), {"cuModuleGetFunction"}},
      {slotOf(f.moduleUnload), {"cuModuleUnload"}},
      {slotOf(f.funcSetAttribute), {"cuFuncSetAttribute"}},
      {slotOf(f.funcGetAttribute), {"cuFuncGetAttribute"}},
      {slotOf(f.occupancyMaxActiveBlocksPerMultiprocessor),
       {"cuOccupancyMaxActiveBlocksPerMultiprocessor"}},
      {slotOf(f.memAlloc), {"cuMemAlloc_v2"}},
      {slotOf(f.memFree), {"cuMemFree_v2"}},
      {slotOf(f.memcpyHtoD), {"cuMemcpyHtoD_v2"}},
      {slotOf(f.memcpyDtoH), {"cuMemcpyDtoH_v2"}},
      {slotOf(f.memsetD8), {"cuMemsetD8_v2"}},
      {slotOf(f.memsetD32Async), {"cuMemsetD32Async"}},
      {slotOf(f.memGetInfo), {"cuMemGetInfo_v2"}},
      {slotOf(f.launchKernel), {"cuLaunchKernel"}},
      {slotOf(f.launchCooperativeKernel), {"cuLaunchCooperativeKernel"}},
      {slotOf(f.eventCreate), {"cuEventCreate"}},
      {slotOf(f.eventRecord), {"cuEventRecord"}},
      {slotOf(f.eventSynchronize), {"cuEventSynchronize"}},
      {slotOf(f.eventElapsedTime),
       {"cuEventElapsedTime_v2", "cuEventElapsedTime"}},
      {slotOf(f.eventDestroy), {"cuEventDestroy_v2"}},
      {slotOf(f.getErrorName), {"cuGetErrorName"}},
      {slotOf(f.getErrorString), {"cuGetErrorString"}},
  };
  for (const Symbol &s : symbols) {
    for (const char *n : s.names)
      if ((*s.slot = ::dlsym(library, n)))
        break;
    if (!*s.slot) {
      why = "no usable CUDA driver: " + name + " lacks the entry point " +
            s.names.front() + " (the NVIDIA driver is too old or the " +
            "library is not libcuda)";
      return false;
    }
  }

  const Symbol optionalSymbols[] = {
      {slotOf(f.streamCreate), {"cuStreamCreate"}},
      {slotOf(f.streamDestroy), {"cuStreamDestroy_v2", "cuStreamDestroy"}},
      {slotOf(f.streamWaitEvent), {"cuStreamWaitEvent"}},
      {slotOf(f.streamWaitValue32),
       {"cuStreamWaitValue32_v2", "cuStreamWaitValue32"}},
      {slotOf(f.occupancyMaxActiveClusters), {"cuOccupancyMaxActiveClusters"}},
  };
  for (const Symbol &s : optionalSymbols)
    for (const char *n : s.names)
      if ((*s.slot = ::dlsym(library, n)))
        break;

  CuResult rc = fns.init(0);
  if (rc != kCudaSuccess) {
    why = "no CUDA device: cuInit failed: " + describe(rc);
    if (rc == kCudaErrorNoDevice)
      why += " (the driver is installed but sees no GPU)";
    return false;
  }
  int count = 0;
  rc = fns.deviceGetCount(&count);
  if (rc != kCudaSuccess) {
    why = "no CUDA device: cuDeviceGetCount failed: " + describe(rc);
    return false;
  }
  if (count < 1) {
    why = "no CUDA device: the driver reports 0 GPUs";
    return false;
  }

  // A framework (PyTorch) may already have made its own context current on
  // this thread; loading must not leave it switched to device 0's.
  CuContext previous = nullptr;
  if (fns.ctxGetCurrent(&previous) != kCudaSuccess)
    previous = nullptr;

  // Device 0 (CUDA_VISIBLE_DEVICES selects which GPU that is).
  try {
    CuDevice dev = 0;
    check(fns.deviceGet(&dev, 0), "cuDeviceGet");
    char name[256] = {0};
    check(fns.deviceGetName(name, int(sizeof(name)) - 1, dev),
          "cuDeviceGetName");
    info.name = name;
    auto attr = [&](int attribute, const char *what) {
      int v = 0;
      check(fns.deviceGetAttribute(&v, attribute, dev), "cuDeviceGetAttribute",
            std::string(" (") + what + ")");
      return v;
    };
    info.ccMajor = attr(kAttrComputeCapabilityMajor, "compute capability");
    info.ccMinor = attr(kAttrComputeCapabilityMinor, "compute capability");
    info.multiprocessors = attr(kAttrMultiprocessorCount, "SM count");
    info.maxThreadsPerBlock = attr(kAttrMaxThreadsPerBlock, "threads/block");
    info.maxGridDimY = attr(kAttrMaxGridDimY, "grid y");
    info.maxGridDimZ = attr(kAttrMaxGridDimZ, "grid z");
    info.maxSharedPerBlockOptin =
        attr(kAttrMaxSharedMemoryPerBlockOptin, "opt-in shared memory");
    info.cooperativeLaunch = attr(kAttrCooperativeLaunch, "cooperative") != 0;
    check(fns.driverGetVersion(&info.driverVersion), "cuDriverGetVersion");
    check(fns.devicePrimaryCtxRetain(&context, dev),
          "cuDevicePrimaryCtxRetain");
    makeCurrent();
    size_t freeBytes = 0;
    check(fns.memGetInfo(&freeBytes, &info.totalMemory), "cuMemGetInfo_v2");
    if (previous)
      check(fns.ctxSetCurrent(previous), "cuCtxSetCurrent",
            " (restoring the caller's context)");
  } catch (const CudaError &e) {
    why = std::string("CUDA device 0 unusable: ") + e.what();
    return false;
  }
  return true;
}

Driver *Driver::get(std::string &why, bool makeCurrent) {
  // Loaded once; the outcome (driver or reason) is kept for the process.
  static std::once_flag once;
  static Driver *driver = nullptr;
  static std::string failure;
  std::call_once(once, []() {
    auto *d = new Driver();
    if (d->load(failure)) {
      driver = d;
      return;
    }
    // Keep the library loaded if it was (unloading a half-initialised
    // driver is riskier than leaking one handle).
    delete d;
  });
  if (!driver) {
    why = failure;
    return nullptr;
  }
  if (makeCurrent)
    driver->makeCurrent();
  return driver;
}

void Driver::makeCurrent() const {
  check(fns.ctxSetCurrent(context), "cuCtxSetCurrent");
}

CuContext Driver::currentContext() const {
  CuContext c = nullptr;
  check(fns.ctxGetCurrent(&c), "cuCtxGetCurrent");
  return c;
}

std::string Driver::describe(CuResult result) const {
  const char *name = nullptr, *text = nullptr;
  if (!fns.getErrorName || fns.getErrorName(result, &name) != kCudaSuccess ||
      !name)
    name = nullptr;
  if (!fns.getErrorString ||
      fns.getErrorString(result, &text) != kCudaSuccess || !text)
    text = nullptr;
  std::string s = name ? name : "CUDA error " + std::to_string(result);
  s += ": ";
  s += text ? text : "(no description)";
  return s;
}

void Driver::check(CuResult result, const char *call,
                   const std::string &context) const {
  if (result == kCudaSuccess)
    return;
  throw CudaError(std::string(call) + " failed: " + describe(result) + context);
}

//===----------------------------------------------------------------------===//
// RAII owners
//===----------------------------------------------------------------------===//

DeviceBuffer::DeviceBuffer(const Driver &driver, size_t bytes,
                           const std::string &what)
    : driver(&driver), bytes(bytes) {
  // cuMemAlloc rejects 0 bytes; an empty tensor still needs a valid pointer
  // for its descriptor.
  size_t request = bytes ? bytes : 1;
  CuResult rc = driver.api().memAlloc(&pointer, request);
  if (rc != kCudaSuccess) {
    pointer = 0;
    std::ostringstream os;
    os << " (allocating " << request << " bytes for " << what;
    size_t freeBytes = 0, totalBytes = 0;
    if (driver.api().memGetInfo(&freeBytes, &totalBytes) == kCudaSuccess)
      os << "; " << freeBytes << " of " << totalBytes << " bytes free";
    os << ")";
    driver.check(rc, "cuMemAlloc_v2", os.str());
  }
}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  if (this != &other) {
    reset();
    driver = other.driver;
    pointer = other.pointer;
    bytes = other.bytes;
    other.pointer = 0;
    other.bytes = 0;
  }
  return *this;
}

void DeviceBuffer::reset() {
  if (pointer && driver)
    driver->api().memFree(pointer);
  pointer = 0;
  bytes = 0;
}

Module::Module(const Driver &driver, const std::string &ptx,
               const std::string &what)
    : driver(driver), what(what) {
  // The JIT writes ptxas' messages into these buffers: without them a PTX
  // error is only "CUDA_ERROR_INVALID_PTX" with no line or reason.
  std::vector<char> infoLog(64 * 1024, '\0'), errorLog(64 * 1024, '\0');
  int options[] = {kJitInfoLogBuffer, kJitInfoLogBufferSizeBytes,
                   kJitErrorLogBuffer, kJitErrorLogBufferSizeBytes,
                   kJitLogVerbose};
  // Option values are passed in pointer-sized slots; sizes and flags as
  // integers cast to void* (the driver API's convention).
  void *values[] = {
      infoLog.data(), reinterpret_cast<void *>(uintptr_t(infoLog.size() - 1)),
      errorLog.data(), reinterpret_cast<void *>(uintptr_t(errorLog.size() - 1)),
      reinterpret_cast<void *>(uintptr_t(1))};
  CuResult rc = driver.api().moduleLoadDataEx(
      &module, ptx.c_str(), unsigned(sizeof(options) / sizeof(options[0])),
      options, values);
  info = infoLog.data();
  if (rc != kCudaSuccess) {
    module = nullptr;
    std::string log = errorLog.data();
    while (!log.empty() && (log.back() == '\n' || log.back() == '\0'))
      log.pop_back();
    driver.check(rc, "cuModuleLoadDataEx",
                 " (loading " + what + ")" +
                     (log.empty() ? std::string() : "\nptxas log:\n" + log));
  }
}

Module::~Module() {
  if (module)
    driver.api().moduleUnload(module);
}

CuFunction Module::function(const std::string &entry) const {
  CuFunction f = nullptr;
  driver.check(driver.api().moduleGetFunction(&f, module, entry.c_str()),
               "cuModuleGetFunction",
               " (entry '" + entry + "' in " + what + ")");
  return f;
}

Event::Event(const Driver &driver) : driver(driver) {
  driver.check(driver.api().eventCreate(&event, kEventDefault),
               "cuEventCreate");
}

Event::~Event() {
  if (event)
    driver.api().eventDestroy(event);
}

Stream::Stream(const Driver &driver) : driver(driver) {
  driver.check(driver.api().streamCreate(&stream, kStreamNonBlocking),
               "cuStreamCreate");
}

Stream::~Stream() {
  if (stream)
    driver.api().streamDestroy(stream);
}

} // namespace cuda
} // namespace flashrnn
