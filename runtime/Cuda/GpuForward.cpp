//===- GpuForward.cpp - Run a package's forward kernel on the GPU ---------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Cuda/GpuForward.h"

#include "runtime/Cuda/CudaDriver.h"
#include "runtime/Cuda/GpuLaunch.h"

#include <algorithm>
#include <cstdint>
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

std::vector<double> initialStates(const Manifest &m, const RunDims &d) {
  std::vector<double> s0(size_t(m.numStates * d.batch * d.heads * m.headDim));
  size_t perState = s0.size() / size_t(m.numStates);
  for (int s = 0; s < m.numStates; ++s)
    std::fill_n(s0.begin() + s * perState, perState, m.states[s].init);
  return s0;
}

namespace {

/// The forward, with everything it owns; any failure throws CudaError (or
/// std::bad_alloc) and the destructors free what was allocated.
void runForward(const Driver &drv, const Manifest &m,
                const std::vector<KernelSpec> &specs, const RunDims &d, const double *wx, const double *r,
                const double *b, const double *s0, double *states,
                double *last, const GpuTiming &timing,
                GpuForwardReport &rep) {
  rep.device = cudaDeviceSummary();
  ModuleCache modules(drv);
  // The forward entry for this batch on this device (a batch variant or
  // not; gpuForward made sure there is one).
  std::unique_ptr<PreparedKernel> prepared =
      prepareKernel(drv, modules, specs, "forward", d.batch, d.heads);
  const PreparedKernel &kernel = *prepared;
  const KernelSpec &k = kernel.spec();
  static_cast<KernelLaunchReport &>(rep) = kernel.report();
  rep.jitLog = modules.infoLogs();

  // Inputs, converted once and kept on the device for every repetition.
  ForwardShapes sh = forwardShapes(m, k, d.batch, d.seq, d.heads);
  auto upload = [&](const double *host, const std::vector<int64_t> &shape,
                    const char *what) {
    return uploadTensor(drv, host, size_t(numElements(shape)), m.dtype, what);
  };
  std::vector<double> initS0;
  DeviceBuffer dWx = upload(wx, sh.wx, "wx");
  DeviceBuffer dR = upload(r, sh.r, "r");
  DeviceBuffer dB = upload(b, sh.b, "b");
  if (!s0) {
    // The kernel always reads s0: without one, every state starts at its
    // manifest init value.
    initS0 = initialStates(m, d);
    s0 = initS0.data();
  }
  DeviceBuffer dS0 = upload(s0, sh.s0, "s0");

  size_t es = deviceElementSize(m.dtype);
  DeviceBuffer dStates(drv, size_t(numElements(sh.states)) * es, "states");
  DeviceBuffer dLast(drv, size_t(numElements(sh.last)) * es, "last");
  DeviceBuffer dExchange(drv, size_t(numElements(sh.hExchange)) * 4,
                         "h_exchange");
  fillBytes(drv, dExchange, 0, "h_exchange");
  DeviceBuffer dSync(drv, size_t(numElements(sh.sync)) * 4, "sync");

  ForwardBuffers fb{dWx.get(),     dR.get(),    dB.get(),        dS0.get(),
                    dStates.get(), dLast.get(), dExchange.get(), dSync.get()};
  size_t batchBeginSlot = 0;
  KernelParams params = forwardParams(fb, sh, batchBeginSlot);

  auto zeroSync = [&]() {
    fillBytes(drv, dSync, 0, "zeroing the sync counters");
  };
  // Poison before each forward (not before each launch of a split batch:
  // that would erase the rows earlier launches wrote). The first launch's
  // counters are zeroed here too, outside any timed region.
  auto prepare = [&]() {
    fillBytes(drv, dStates, 0xFF, "poisoning states");
    fillBytes(drv, dLast, 0xFF, "poisoning last");
    zeroSync();
  };
  auto launchAll = [&]() {
    bool first = true;
    kernel.launchAll(params, batchBeginSlot, [&]() {
      if (!first)
        zeroSync();
      first = false;
    });
  };

  // The checked forward.
  prepare();
  launchAll();
  kernel.synchronize("after running");
  std::vector<OutputCheck> outs = {
      downloadOutput(drv, dStates, sh.states, m.dtype, states, "states",
                     k.entry),
      downloadOutput(drv, dLast, sh.last, m.dtype, last, "last", k.entry)};
  std::string poisoned = describePoisoned(outs, false);
  if (!poisoned.empty()) {
    std::ostringstream os;
    os << "the kernel " << k.entry << " left output elements unwritten "
       << "(still the 0xFF poison pattern):" << poisoned << " launches:";
    for (const LaunchChunk &c : rep.launches)
      os << kernel.describeLaunch(c);
    throw CudaError(os.str());
  }

  if (timing.repeat <= 0)
    return;
  rep.timesMs = timePasses(drv, timing.warmup, timing.repeat, prepare,
                           launchAll, kernel, "forward of " + k.entry);
  rep.medianMs = medianOf(rep.timesMs);
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
  const KernelSpec *k = selectKernel(specs, "forward", d.batch, d.heads);
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
    runForward(*drv, m, specs, d, wx, r, b, s0, states, last, timing, report);
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
