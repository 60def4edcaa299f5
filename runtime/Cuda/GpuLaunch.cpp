//===- GpuLaunch.cpp - What every GPU run of a package shares -------------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Cuda/GpuLaunch.h"

#include "runtime/Half.h"
#include "runtime/Npy.h"
#include "runtime/Reference.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

namespace flashrnn {
namespace cuda {

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

} // namespace

//===----------------------------------------------------------------------===//
// Modules and kernels
//===----------------------------------------------------------------------===//

CuFunction ModuleCache::function(const KernelSpec &k) {
  std::unique_ptr<Module> &m = modules[k.ptxPath];
  if (!m)
    m = std::make_unique<Module>(driver, readFile(k.ptxPath), k.ptxPath);
  return m->function(k.entry);
}

std::string ModuleCache::infoLogs() const {
  std::string logs;
  for (const auto &entry : modules)
    logs += entry.second->infoLog();
  return logs;
}

PreparedKernel::PreparedKernel(const Driver &drv, ModuleCache &modules,
                               const KernelSpec &k, int64_t batch,
                               int64_t heads)
    : driver(drv), k(k) {
  const DriverApi &api = drv.api();
  const DeviceInfo &dev = drv.device();
  rep.kind = k.kind;
  rep.entry = k.entry;
  std::copy(k.block, k.block + 3, rep.block);
  rep.batchTiled = k.hasSchedule;
  rep.ctasPerHead = k.ctasPerHead;
  rep.heads = heads;
  rep.batchTile = k.batchTile;
  rep.dynamicSharedBytes = k.dynamicSharedBytes;
  rep.cooperative = k.cooperative;
  rep.minHeadTiles = k.minHeadTiles;
  if (k.hasSchedule)
    rep.headTiles = headTiles(k, batch, heads);

  // PTX for sm_XY runs on sm_XY and, JIT-compiled, on later chips; an
  // architecture-specific target ("sm_90a") only on that chip. Kinds other
  // than the forward may leave the chip to the forward (same PTX file).
  if (!k.chip.empty()) {
    int devCc = dev.ccMajor * 10 + dev.ccMinor,
        kernelCc = k.chipMajor * 10 + k.chipMinor;
    bool archSpecific = std::isalpha((unsigned char)k.chip.back());
    if (devCc < kernelCc || (archSpecific && devCc != kernelCc))
      throw CudaError("the package's " + k.kind + " kernel targets " + k.chip +
                      ", but device 0 (" + dev.name + ") is sm_" +
                      std::to_string(dev.ccMajor) +
                      std::to_string(dev.ccMinor) +
                      ": recompile the package with --chip=sm_" +
                      std::to_string(dev.ccMajor) +
                      std::to_string(dev.ccMinor));
  }

  int64_t threads = k.block[0] * k.block[1] * k.block[2];
  if (threads > dev.maxThreadsPerBlock)
    throw CudaError("the kernel's block has " + std::to_string(threads) +
                    " threads; device 0 allows " +
                    std::to_string(dev.maxThreadsPerBlock));
  if (heads > dev.maxGridDimY)
    throw CudaError("NH=" + std::to_string(heads) +
                    " heads exceed the device's grid y limit " +
                    std::to_string(dev.maxGridDimY));
  if (!k.hasSchedule) {
    resolveGrid(k, heads, 1, rep.grid);
    if (rep.grid[1] > dev.maxGridDimY || rep.grid[2] > dev.maxGridDimZ)
      throw CudaError("the " + k.entry + " grid [" +
                      std::to_string(rep.grid[0]) + ", " +
                      std::to_string(rep.grid[1]) + ", " +
                      std::to_string(rep.grid[2]) +
                      "] exceeds the device's grid limits (y " +
                      std::to_string(dev.maxGridDimY) + ", z " +
                      std::to_string(dev.maxGridDimZ) + ")");
  }
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
  if (batch > INT32_MAX)
    throw CudaError("batch size " + std::to_string(batch) +
                    " does not fit the kernel's i32 batch_begin");

  fn = modules.function(k);
  // Above 48 KiB in total (static + dynamic) a kernel must opt in to more
  // dynamic shared memory. The compiled kernels also declare a little static
  // shared memory (the dynamic array's symbol), so exactly 48 KiB of dynamic
  // shared memory already needs the opt-in: opt in whenever there is any
  // (seen on an H100: 49152 dynamic bytes without it, CUDA_ERROR_INVALID_VALUE).
  if (k.dynamicSharedBytes > 0)
    drv.check(api.funcSetAttribute(fn, kFuncAttrMaxDynamicSharedSizeBytes,
                                   int(k.dynamicSharedBytes)),
              "cuFuncSetAttribute",
              " (MAX_DYNAMIC_SHARED_SIZE_BYTES = " +
                  std::to_string(k.dynamicSharedBytes) + " for " + k.entry +
                  ")");

  // A kernel compiled as a thread-block cluster of more than 8 CTAs (PTX
  // .reqnctapercluster; the planner's non-portable clusters, sm_90) launches
  // only after it opts in to non-portable cluster sizes.
  int clusterWidth = 0;
  drv.check(api.funcGetAttribute(&clusterWidth, kFuncAttrRequiredClusterWidth,
                                 fn),
            "cuFuncGetAttribute", " (REQUIRED_CLUSTER_WIDTH of " + k.entry + ")");
  if (clusterWidth > kPortableClusterCtas) {
    CuResult rc =
        api.funcSetAttribute(fn, kFuncAttrNonPortableClusterSizeAllowed, 1);
    if (rc != kCudaSuccess)
      drv.check(rc, "cuFuncSetAttribute",
                " (NON_PORTABLE_CLUSTER_SIZE_ALLOWED for " + k.entry +
                    ", a cluster of " + std::to_string(clusterWidth) +
                    " CTAs: more than the portable 8 need an sm_90 device "
                    "that allows them; recompile with --max-cluster-ctas 8" +
                    (k.minHeadTiles > 0
                         ? std::string(", or set FLASHRNN_BATCH_VARIANTS=off "
                                       "to run the package's first " +
                                       k.kind + " kernel")
                         : std::string()) +
                    ")");
    rep.clusterCtas = clusterWidth;
  }

  if (!k.hasSchedule) {
    // One launch over the whole batch: the kernel loops over it itself.
    rep.launches = {LaunchChunk{0, 1}};
    return;
  }
  if (k.cooperative) {
    int perSm = 0;
    drv.check(api.occupancyMaxActiveBlocksPerMultiprocessor(
                  &perSm, fn, int(threads), size_t(k.dynamicSharedBytes)),
              "cuOccupancyMaxActiveBlocksPerMultiprocessor",
              " (" + k.entry + ")");
    rep.residentCtas = int64_t(perSm) * dev.multiprocessors;
  }
  std::string planError;
  if (!planLaunches(batch, k.batchTile, k.ctasPerHead, heads, k.cooperative,
                    rep.residentCtas, dev.maxGridDimZ, rep.launches,
                    planError))
    throw CudaError(
        planError + " (" + (k.kind == "forward" ? "" : k.entry + ": ") +
        "occupancy: " +
        std::to_string(rep.residentCtas / std::max(dev.multiprocessors, 1)) +
        " blocks per SM of " + std::to_string(threads) + " threads and " +
        std::to_string(k.dynamicSharedBytes) +
        " bytes of dynamic shared memory, x " +
        std::to_string(dev.multiprocessors) + " SMs)");
  rep.waves = countWaves(clusterWidth, threads);
}

int64_t PreparedKernel::countWaves(int clusterWidth, int64_t threads) const {
  // Every CTA of a cooperative launch is resident at once, and the
  // launches run one after the other: one wave each.
  if (k.cooperative)
    return int64_t(rep.launches.size());
  const DriverApi &api = driver.api();
  // Otherwise the hardware runs the CTAs (or whole clusters) in waves of
  // as many as are resident at once. For clusters that is not the SMs over
  // the cluster size: a cluster must fit in one GPC, and an H200 holds 7
  // clusters of 16 CTAs (one per SM), not 132 / 16 = 8.
  int64_t perWave = 0, groupCtas = 1;
  if (clusterWidth > 1) {
    if (!api.occupancyMaxActiveClusters)
      return 0;
    int64_t grid[3];
    resolveGrid(k, rep.heads, rep.launches.front().tiles, grid);
    LaunchConfig config;
    config.gridDimX = unsigned(grid[0]);
    config.gridDimY = unsigned(grid[1]);
    config.gridDimZ = unsigned(grid[2]);
    config.blockDimX = unsigned(k.block[0]);
    config.blockDimY = unsigned(k.block[1]);
    config.blockDimZ = unsigned(k.block[2]);
    config.sharedMemBytes = unsigned(k.dynamicSharedBytes);
    int clusters = 0;
    if (api.occupancyMaxActiveClusters(&clusters, fn, &config) !=
            kCudaSuccess ||
        clusters < 1)
      return 0;
    perWave = clusters;
    groupCtas = clusterWidth;
  } else {
    int perSm = 0;
    if (api.occupancyMaxActiveBlocksPerMultiprocessor(
            &perSm, fn, int(threads), size_t(k.dynamicSharedBytes)) !=
            kCudaSuccess ||
        perSm < 1)
      return 0;
    perWave = int64_t(perSm) * driver.device().multiprocessors;
  }
  int64_t waves = 0;
  for (const LaunchChunk &c : rep.launches) {
    int64_t grid[3];
    resolveGrid(k, rep.heads, c.tiles, grid);
    int64_t groups = grid[0] * grid[1] * grid[2] / groupCtas;
    waves += (groups + perWave - 1) / perWave;
  }
  return waves;
}

std::unique_ptr<PreparedKernel>
prepareKernel(const Driver &drv, ModuleCache &modules,
              const std::vector<KernelSpec> &specs, const std::string &kind,
              int64_t batch, int64_t heads) {
  const KernelSpec *pick = selectKernel(specs, kind, batch, heads);
  if (!pick)
    return nullptr;
  auto chosen = std::make_unique<PreparedKernel>(drv, modules, *pick, batch,
                                                 heads);
  // The kind's first entry, or a run with FLASHRNN_BATCH_VARIANTS=off:
  // nothing to weigh.
  if (pick->minHeadTiles == 0)
    return chosen;
  std::string variant =
      "batch variant " + pick->entry + " (for " +
      std::to_string(pick->minHeadTiles) + " or more (head, batch tile) " +
      "pairs; this run has " + std::to_string(headTiles(*pick, batch, heads)) +
      ")";
  int64_t pickWaves = chosen->report().waves;
  if (pickWaves == 0) {
    chosen->setVariantNote(variant + " runs without being weighed against "
                           "the earlier entries: its waves could not be "
                           "counted (no cuOccupancyMaxActiveClusters in this "
                           "driver, or the query failed)");
    return chosen;
  }
  std::unique_ptr<PreparedKernel> best;
  std::string weighed;
  for (const KernelSpec &e : specs) {
    if (&e == pick)
      break;
    if (e.kind != kind || e.batchTile != pick->batchTile)
      continue;
    std::unique_ptr<PreparedKernel> candidate;
    try {
      candidate = std::make_unique<PreparedKernel>(drv, modules, e, batch,
                                                   heads);
    } catch (const CudaError &) {
      continue; // cannot run at this size (e.g. not co-resident)
    }
    int64_t w = candidate->report().waves;
    if (w == 0)
      continue;
    weighed += (weighed.empty() ? "" : ", ") + std::to_string(w) + " for " +
               e.entry;
    if (w <= pickWaves && (!best || w < best->report().waves))
      best = std::move(candidate);
  }
  if (weighed.empty())
    return chosen;
  if (!best) {
    chosen->setVariantNote(variant + " runs: " + std::to_string(pickWaves) +
                           " wave(s) on this device, against " + weighed);
    return chosen;
  }
  best->setVariantNote(variant + " not run: " + std::to_string(pickWaves) +
                       " wave(s) on this device, no fewer than the earlier " +
                       "entries' (" + weighed + "); " + best->spec().entry +
                       " runs instead");
  return best;
}

std::string PreparedKernel::describeLaunch(const LaunchChunk &c) const {
  // Built with std::to_string rather than an ostringstream: inside a PyTorch
  // process (the Python binding loads this library next to libtorch, which
  // exports its own libstdc++ locale symbols) a stream's number formatting
  // reaches a mismatched num_put facet and crashes; to_string does not use
  // locales. Seen on an H100 with torch 2.11.
  int64_t grid[3];
  resolveGrid(k, rep.heads, c.tiles, grid);
  auto triple = [](const int64_t v[3]) {
    return "[" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ", " +
           std::to_string(v[2]) + "]";
  };
  std::string s = " (kernel " + k.entry + ", grid " + triple(grid) +
                  ", block " + triple(k.block) + ", dynamic shared " +
                  std::to_string(k.dynamicSharedBytes) + " bytes";
  if (k.hasSchedule)
    s += ", batch_begin " + std::to_string(c.batchBegin);
  return s + (k.cooperative ? ", cooperative" : "") + ")";
}

void PreparedKernel::launchAll(KernelParams &params, size_t batchBeginSlot,
                               const std::function<void()> &beforeLaunch,
                               CuStream stream) const {
  const DriverApi &api = driver.api();
  for (const LaunchChunk &c : rep.launches) {
    if (beforeLaunch)
      beforeLaunch();
    if (k.hasSchedule)
      params.setI32(batchBeginSlot, int32_t(c.batchBegin));
    void **paramPointers = params.pointers();
    int64_t grid[3];
    resolveGrid(k, rep.heads, c.tiles, grid);
    unsigned gx = unsigned(grid[0]), gy = unsigned(grid[1]),
             gz = unsigned(grid[2]);
    unsigned bx = unsigned(k.block[0]), by = unsigned(k.block[1]),
             bz = unsigned(k.block[2]);
    unsigned smem = unsigned(k.dynamicSharedBytes);
    // The description is built only on failure: launches are on the
    // training step's critical path.
    CuResult rc =
        k.cooperative
            ? api.launchCooperativeKernel(fn, gx, gy, gz, bx, by, bz, smem,
                                          stream, paramPointers)
            : api.launchKernel(fn, gx, gy, gz, bx, by, bz, smem, stream,
                               paramPointers, nullptr);
    if (rc != kCudaSuccess)
      driver.check(rc,
                   k.cooperative ? "cuLaunchCooperativeKernel"
                                 : "cuLaunchKernel",
                   describeLaunch(c));
  }
}

void PreparedKernel::synchronize(const char *when) const {
  // A fault inside the kernel surfaces here, not at the launch.
  driver.check(driver.api().ctxSynchronize(), "cuCtxSynchronize",
               std::string(" (") + when + " " + k.entry +
                   describeLaunch(rep.launches.front()) + ", " +
                   std::to_string(rep.launches.size()) + " launch(es))");
}

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

DeviceBuffer uploadTensor(const Driver &drv, const double *host, size_t n,
                          DType dtype, const char *what, bool zeroIfNull) {
  // A null R or b is allowed only for an empty tensor (a cell without rows
  // in it).
  if (n && !host && !zeroIfNull)
    throw CudaError(std::string("the input ") + what + " is missing");
  size_t es = deviceElementSize(dtype);
  DeviceBuffer buf(drv, n * es, what);
  if (n && !host) {
    fillBytes(drv, buf, 0, what); // 0 bytes are 0.0 in every dtype
  } else if (n) {
    std::vector<uint8_t> bytes = encodeForDevice(host, n, dtype);
    drv.check(drv.api().memcpyHtoD(buf.get(), bytes.data(), bytes.size()),
              "cuMemcpyHtoD_v2", std::string(" (uploading ") + what + ")");
  }
  return buf;
}

void fillBytes(const Driver &drv, const DeviceBuffer &buffer,
               unsigned char value, const std::string &what) {
  if (!buffer.size())
    return;
  drv.check(drv.api().memsetD8(buffer.get(), value, buffer.size()),
            "cuMemsetD8_v2", " (" + what + ")");
}

OutputCheck downloadOutput(const Driver &drv, const DeviceBuffer &buffer,
                           const std::vector<int64_t> &shape, DType dtype,
                           double *host, const std::string &name,
                           const std::string &writer) {
  OutputCheck out{name, shape, writer};
  size_t n = size_t(numElements(shape));
  if (!n)
    return out;
  std::vector<uint8_t> bytes(buffer.size());
  drv.check(drv.api().memcpyDtoH(bytes.data(), buffer.get(), bytes.size()),
            "cuMemcpyDtoH_v2", " (" + name + ")");
  decodeFromDevice(bytes.data(), n, dtype, host, out.poisoned,
                   out.firstPoisoned);
  return out;
}

std::string describePoisoned(const std::vector<OutputCheck> &outputs,
                             bool withWriter) {
  std::ostringstream os;
  for (const OutputCheck &o : outputs) {
    if (!o.poisoned)
      continue;
    os << " " << o.name;
    if (withWriter)
      os << " (written by " << o.writer << ")";
    os << ": " << o.poisoned << " of " << numElements(o.shape)
       << ", first at " << indexOf(o.shape, o.firstPoisoned) << ";";
  }
  return os.str();
}

double medianOf(std::vector<double> sorted) {
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

std::vector<double> timePasses(const Driver &drv, int warmup, int repeat,
                               const std::function<void()> &prepare,
                               const std::function<void()> &pass,
                               const PreparedKernel &last,
                               const std::string &what,
                               const std::function<void()> &afterPass) {
  const DriverApi &api = drv.api();
  DeviceBuffer flush(drv, kL2FlushBytes, "the L2 flush buffer");
  // Different values each time, so that no layer can skip the write.
  unsigned flushValue = 0;
  auto flushL2 = [&] {
    drv.check(api.memsetD32Async(flush.get(), ++flushValue,
                                 kL2FlushBytes / 4, nullptr),
              "cuMemsetD32Async", " (flushing the L2 cache between passes)");
  };
  for (int i = 0; i < warmup; ++i) {
    prepare();
    flushL2();
    pass();
  }
  last.synchronize("after warming up");
  Event start(drv), end(drv);
  std::vector<double> times;
  for (int i = 0; i < repeat; ++i) {
    prepare();
    flushL2();
    drv.check(api.eventRecord(start.get(), nullptr), "cuEventRecord");
    pass();
    drv.check(api.eventRecord(end.get(), nullptr), "cuEventRecord");
    drv.check(api.eventSynchronize(end.get()), "cuEventSynchronize",
              " (timed " + what + " " + std::to_string(i) + ")");
    float ms = 0;
    drv.check(api.eventElapsedTime(&ms, start.get(), end.get()),
              "cuEventElapsedTime");
    times.push_back(ms);
    if (afterPass)
      afterPass();
  }
  last.synchronize("after timing");
  return times;
}

} // namespace cuda
} // namespace flashrnn
