//===- GpuForward.cpp - Run a package's forward kernel on the GPU ---------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Cuda/GpuForward.h"

#include "runtime/Cuda/CudaDriver.h"
#include "runtime/Half.h"
#include "runtime/Npy.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

namespace flashrnn {
namespace cuda {

bool cudaAvailable(std::string &why) { return Driver::get(why) != nullptr; }

std::string cudaDeviceSummary() {
  std::string why;
  Driver *driver = Driver::get(why);
  if (!driver)
    return "";
  const DeviceInfo &i = driver->device();
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(1);
  os << i.name << " (sm_" << i.ccMajor << i.ccMinor << ", " << i.multiprocessors
     << " SMs, " << double(i.totalMemory) / (1 << 30) << " GiB, driver "
     << i.driverVersion / 1000 << "." << (i.driverVersion % 1000) / 10 << ")";
  return os.str();
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

size_t deviceElementSize(DType dtype) {
  switch (dtype) {
  case DType::BF16:
  case DType::F16:
    return 2;
  case DType::F32:
    return 4;
  case DType::F64:
    return 0;
  }
  return 0;
}

std::vector<uint8_t> encodeForDevice(const double *values, size_t n,
                                     DType dtype) {
  size_t es = deviceElementSize(dtype);
  std::vector<uint8_t> out(n * es);
  for (size_t i = 0; i < n; ++i) {
    // Round once, from double, to the target format; the float in between
    // is then exact, so the 16-bit conversion does not round again.
    float f = float(roundToDType(values[i], dtype));
    if (dtype == DType::F32) {
      std::memcpy(&out[4 * i], &f, 4);
    } else {
      uint16_t h = dtype == DType::BF16 ? floatToBf16(f) : floatToF16(f);
      std::memcpy(&out[2 * i], &h, 2);
    }
  }
  return out;
}

void decodeFromDevice(const uint8_t *bytes, size_t n, DType dtype,
                      double *values, int64_t &poisoned,
                      int64_t &firstPoisoned) {
  size_t es = deviceElementSize(dtype);
  poisoned = 0;
  firstPoisoned = -1;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t *p = bytes + i * es;
    bool allOnes = true;
    for (size_t k = 0; k < es; ++k)
      allOnes &= p[k] == 0xFF;
    if (allOnes && poisoned++ == 0)
      firstPoisoned = int64_t(i);
    if (dtype == DType::F32) {
      float f;
      std::memcpy(&f, p, 4);
      values[i] = f;
    } else {
      uint16_t h;
      std::memcpy(&h, p, 2);
      values[i] = dtype == DType::BF16 ? bf16ToFloat(h) : f16ToFloat(h);
    }
  }
}

namespace {

std::string indexOf(const std::vector<int64_t> &shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    idx[i] = flat % shape[i];
    flat /= shape[i];
  }
  return shapeToString(idx);
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw CudaError(path + ": cannot open the kernel's PTX file");
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

/// The forward, with everything it owns; any failure throws CudaError (or
/// std::bad_alloc) and the destructors free what was allocated.
void runForward(const Driver &drv, const Manifest &m, const KernelSpec &k,
                const std::string &packageDir, const RunDims &d,
                const double *wx, const double *r, const double *b,
                const double *s0, double *states, double *last,
                const GpuTiming &timing, GpuForwardReport &rep) {
  const DriverApi &api = drv.api();
  const DeviceInfo &dev = drv.device();
  rep.entry = k.entry;
  rep.device = cudaDeviceSummary();
  std::copy(k.block, k.block + 3, rep.block);
  rep.ctasPerHead = k.ctasPerHead;
  rep.heads = d.heads;
  rep.batchTile = k.batchTile;
  rep.dynamicSharedBytes = k.dynamicSharedBytes;
  rep.cooperative = k.cooperative;

  // PTX for sm_XY runs on sm_XY and, JIT-compiled, on later chips; an
  // architecture-specific target ("sm_90a") only on that chip.
  int devCc = dev.ccMajor * 10 + dev.ccMinor,
      kernelCc = k.chipMajor * 10 + k.chipMinor;
  bool archSpecific =
      !k.chip.empty() && std::isalpha((unsigned char)k.chip.back());
  if (devCc < kernelCc || (archSpecific && devCc != kernelCc))
    throw CudaError("the package's forward kernel targets " + k.chip +
                    ", but device 0 (" + dev.name + ") is sm_" +
                    std::to_string(dev.ccMajor) + std::to_string(dev.ccMinor) +
                    ": recompile the package with --chip=sm_" +
                    std::to_string(dev.ccMajor) + std::to_string(dev.ccMinor));

  int64_t threads = k.block[0] * k.block[1] * k.block[2];
  if (threads > dev.maxThreadsPerBlock)
    throw CudaError("the kernel's block has " + std::to_string(threads) +
                    " threads; device 0 allows " +
                    std::to_string(dev.maxThreadsPerBlock));
  if (d.heads > dev.maxGridDimY)
    throw CudaError("NH=" + std::to_string(d.heads) +
                    " heads exceed the device's grid y limit " +
                    std::to_string(dev.maxGridDimY));
  if (k.dynamicSharedBytes > dev.maxSharedPerBlockOptin)
    throw CudaError("the kernel needs " + std::to_string(k.dynamicSharedBytes) +
                    " bytes of dynamic shared memory per block; device 0 " +
                    "allows at most " +
                    std::to_string(dev.maxSharedPerBlockOptin) +
                    " (opt-in maximum): the package was planned for a "
                    "larger chip");
  if (k.cooperative && !dev.cooperativeLaunch)
    throw CudaError("the kernel needs a cooperative launch, which device 0 "
                    "does not support");
  // batch_begin is an i32.
  if (d.batch > INT32_MAX)
    throw CudaError("batch size " + std::to_string(d.batch) +
                    " does not fit the kernel's i32 batch_begin");

  Module module(drv, readFile(k.ptxPath), k.ptxPath);
  rep.jitLog = module.infoLog();
  CuFunction fn = module.function(k.entry);
  // Above 48 KiB a kernel must opt in to more dynamic shared memory.
  const int64_t kDefaultSharedLimit = 48 * 1024;
  if (k.dynamicSharedBytes > kDefaultSharedLimit)
    drv.check(api.funcSetAttribute(fn, kFuncAttrMaxDynamicSharedSizeBytes,
                                   int(k.dynamicSharedBytes)),
              "cuFuncSetAttribute",
              " (MAX_DYNAMIC_SHARED_SIZE_BYTES = " +
                  std::to_string(k.dynamicSharedBytes) + ")");

  if (k.cooperative) {
    int perSm = 0;
    drv.check(api.occupancyMaxActiveBlocksPerMultiprocessor(
                  &perSm, fn, int(threads), size_t(k.dynamicSharedBytes)),
              "cuOccupancyMaxActiveBlocksPerMultiprocessor");
    rep.residentCtas = int64_t(perSm) * dev.multiprocessors;
  }
  std::string planError;
  if (!planLaunches(d.batch, k.batchTile, k.ctasPerHead, d.heads, k.cooperative,
                    rep.residentCtas, dev.maxGridDimZ, rep.launches, planError))
    throw CudaError(
        planError + " (occupancy: " +
        std::to_string(rep.residentCtas / std::max(dev.multiprocessors, 1)) +
        " blocks per SM of " + std::to_string(threads) + " threads and " +
        std::to_string(k.dynamicSharedBytes) +
        " bytes of dynamic shared memory, x " +
        std::to_string(dev.multiprocessors) + " SMs)");

  // Inputs, converted once and kept on the device for every repetition.
  ForwardShapes sh = forwardShapes(m, k, d.batch, d.seq, d.heads);
  size_t es = deviceElementSize(m.dtype);
  auto upload = [&](const double *host, const std::vector<int64_t> &shape,
                    const char *what) {
    size_t n = size_t(numElements(shape));
    // A null R or b is allowed only for an empty tensor (a cell without
    // rows in it).
    if (n && !host)
      throw CudaError(std::string("the input ") + what + " is missing");
    DeviceBuffer buf(drv, n * es, what);
    if (n) {
      std::vector<uint8_t> bytes = encodeForDevice(host, n, m.dtype);
      drv.check(api.memcpyHtoD(buf.get(), bytes.data(), bytes.size()),
                "cuMemcpyHtoD_v2", std::string(" (uploading ") + what + ")");
    }
    return buf;
  };
  std::vector<double> initS0;
  DeviceBuffer dWx = upload(wx, sh.wx, "wx");
  DeviceBuffer dR = upload(r, sh.r, "r");
  DeviceBuffer dB = upload(b, sh.b, "b");
  if (!s0) {
    // The kernel always reads s0: without one, every state starts at its
    // manifest init value.
    initS0.resize(size_t(numElements(sh.s0)));
    size_t perState = initS0.size() / size_t(m.numStates);
    for (int s = 0; s < m.numStates; ++s)
      std::fill_n(initS0.begin() + s * perState, perState, m.states[s].init);
    s0 = initS0.data();
  }
  DeviceBuffer dS0 = upload(s0, sh.s0, "s0");

  size_t nStates = size_t(numElements(sh.states)),
         nLast = size_t(numElements(sh.last));
  DeviceBuffer dStates(drv, nStates * es, "states");
  DeviceBuffer dLast(drv, nLast * es, "last");
  DeviceBuffer dExchange(drv, size_t(numElements(sh.hExchange)) * 4,
                         "h_exchange");
  drv.check(api.memsetD8(dExchange.get(), 0, dExchange.size()), "cuMemsetD8_v2",
            " (h_exchange)");
  DeviceBuffer dSync(drv, size_t(numElements(sh.sync)) * 4, "sync");

  ForwardBuffers fb{dWx.get(),     dR.get(),    dB.get(),        dS0.get(),
                    dStates.get(), dLast.get(), dExchange.get(), dSync.get()};
  size_t batchBeginSlot = 0;
  KernelParams params = forwardParams(fb, sh, batchBeginSlot);
  void **paramPointers = params.pointers();

  auto zeroSync = [&]() {
    drv.check(api.memsetD8(dSync.get(), 0, dSync.size()), "cuMemsetD8_v2",
              " (zeroing the sync counters)");
  };
  // Poison before each forward (not before each launch of a split batch:
  // that would erase the rows earlier launches wrote).
  auto prepare = [&]() {
    drv.check(api.memsetD8(dStates.get(), 0xFF, dStates.size()),
              "cuMemsetD8_v2", " (poisoning states)");
    drv.check(api.memsetD8(dLast.get(), 0xFF, dLast.size()), "cuMemsetD8_v2",
              " (poisoning last)");
    zeroSync();
  };
  auto describeLaunch = [&](const LaunchChunk &c) {
    std::ostringstream os;
    os << " (kernel " << k.entry << ", grid [" << k.ctasPerHead << ", "
       << d.heads << ", " << c.tiles << "], block [" << k.block[0] << ", "
       << k.block[1] << ", " << k.block[2] << "], dynamic shared "
       << k.dynamicSharedBytes << " bytes, batch_begin " << c.batchBegin
       << (k.cooperative ? ", cooperative" : "") << ")";
    return os.str();
  };
  auto launchAll = [&]() {
    for (size_t i = 0; i < rep.launches.size(); ++i) {
      const LaunchChunk &c = rep.launches[i];
      if (i)
        zeroSync();
      params.setI32(batchBeginSlot, int32_t(c.batchBegin));
      unsigned gx = unsigned(k.ctasPerHead), gy = unsigned(d.heads),
               gz = unsigned(c.tiles);
      unsigned bx = unsigned(k.block[0]), by = unsigned(k.block[1]),
               bz = unsigned(k.block[2]);
      unsigned smem = unsigned(k.dynamicSharedBytes);
      if (k.cooperative)
        drv.check(api.launchCooperativeKernel(fn, gx, gy, gz, bx, by, bz, smem,
                                              nullptr, paramPointers),
                  "cuLaunchCooperativeKernel", describeLaunch(c));
      else
        drv.check(api.launchKernel(fn, gx, gy, gz, bx, by, bz, smem, nullptr,
                                   paramPointers, nullptr),
                  "cuLaunchKernel", describeLaunch(c));
    }
  };
  auto synchronize = [&](const char *when) {
    // A fault inside the kernel surfaces here, not at the launch.
    drv.check(api.ctxSynchronize(), "cuCtxSynchronize",
              std::string(" (") + when + " " + k.entry +
                  describeLaunch(rep.launches.front()) + ", " +
                  std::to_string(rep.launches.size()) + " launch(es))");
  };

  // The checked forward.
  prepare();
  launchAll();
  synchronize("after running");
  std::vector<uint8_t> hostStates(dStates.size()), hostLast(dLast.size());
  drv.check(api.memcpyDtoH(hostStates.data(), dStates.get(), hostStates.size()),
            "cuMemcpyDtoH_v2", " (states)");
  drv.check(api.memcpyDtoH(hostLast.data(), dLast.get(), hostLast.size()),
            "cuMemcpyDtoH_v2", " (last)");
  int64_t badStates, firstStates, badLast, firstLast;
  decodeFromDevice(hostStates.data(), nStates, m.dtype, states, badStates,
                   firstStates);
  decodeFromDevice(hostLast.data(), nLast, m.dtype, last, badLast, firstLast);
  if (badStates || badLast) {
    std::ostringstream os;
    os << "the kernel " << k.entry << " left output elements unwritten "
       << "(still the 0xFF poison pattern):";
    if (badStates)
      os << " states: " << badStates << " of " << nStates << ", first at "
         << indexOf(sh.states, firstStates) << ";";
    if (badLast)
      os << " last: " << badLast << " of " << nLast << ", first at "
         << indexOf(sh.last, firstLast) << ";";
    os << " launches:";
    for (const LaunchChunk &c : rep.launches)
      os << describeLaunch(c);
    throw CudaError(os.str());
  }

  if (timing.repeat <= 0)
    return;
  for (int i = 0; i < timing.warmup; ++i) {
    prepare();
    launchAll();
  }
  synchronize("after warming up");
  Event start(drv), end(drv);
  for (int i = 0; i < timing.repeat; ++i) {
    prepare();
    drv.check(api.eventRecord(start.get(), nullptr), "cuEventRecord");
    launchAll();
    drv.check(api.eventRecord(end.get(), nullptr), "cuEventRecord");
    drv.check(api.eventSynchronize(end.get()), "cuEventSynchronize",
              " (timed forward " + std::to_string(i) + " of " + k.entry + ")");
    float ms = 0;
    drv.check(api.eventElapsedTime(&ms, start.get(), end.get()),
              "cuEventElapsedTime");
    rep.timesMs.push_back(ms);
  }
  synchronize("after timing");
  std::vector<double> sorted = rep.timesMs;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  rep.medianMs =
      n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

} // namespace

bool gpuForward(const Manifest &m, const std::string &packageDir,
                const RunDims &d, const double *wx, const double *r,
                const double *b, const double *s0, double *states, double *last,
                const GpuTiming &timing, GpuForwardReport &report,
                std::string &error) {
  report = GpuForwardReport();
  if (deviceElementSize(m.dtype) == 0) {
    error = "the GPU backend runs bf16, f16 and f32 packages; this one is " +
            std::string(dtypeName(m.dtype));
    return false;
  }
  if (!checkDims(m, d, error))
    return false;
  std::vector<KernelSpec> specs;
  if (!loadKernelSpecs(packageDir, m, specs, error))
    return false;
  const KernelSpec *k = findKernel(specs, "forward");
  if (!k) {
    error = packageDir +
            ": the package has no forward GPU kernel (its "
            "manifest lists no `kernels` entry of kind \"forward\"; was it "
            "compiled with --cpu-only?)";
    return false;
  }
  std::string why;
  Driver *drv = Driver::get(why);
  if (!drv) {
    error = why;
    return false;
  }
  try {
    runForward(*drv, m, *k, packageDir, d, wx, r, b, s0, states, last, timing,
               report);
  } catch (const CudaError &e) {
    error = e.what();
    return false;
  } catch (const std::bad_alloc &) {
    error = "out of host memory preparing the GPU forward";
    return false;
  }
  return true;
}

} // namespace cuda
} // namespace flashrnn
