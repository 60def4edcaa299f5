//===- FakeCuda.cpp - A stand-in libcuda for tests without a GPU ----------===//
//
// Part of FlashRNN-MLIR, the runtime's tests.
//
//===----------------------------------------------------------------------===//
//
// A shared library with the driver entry points the runtime loads, backed by
// host memory, so that the GPU backend's host side (parameter packing, batch
// split, poison detection, timing, error paths) runs end to end in CI:
//   FLASHRNN_LIBCUDA=.../libflashrnn-fake-cuda.so flashrnn-run ... --device cuda
// Its "kernels", told apart by the entry name's suffix (_forward,
// _forward_train, _backward, _backward_reduce; a batch variant's
// _from<N>tiles after it is passed over), check every memref descriptor
// against their contract and write predictable values for the launch's
// batch rows: the forward copies s0 into states (every step) and last;
// forward_train does the same and zeroes its rows of saved_gates and
// saved_states; the backward checks that its `sync` counters are zero and
// that forward_train wrote its rows, copies dlast into ds0 and zeroes dwx
// and dgates; backward_reduce checks that every row of dgates was written
// (so that it ran after all backward launches) and that the backward
// published every step in `progress`, and zeroes dr and db. Zero
// bytes are 0.0 in every dtype. It prints one line per launch on stderr.
//
// Knobs (environment): FAKE_CUDA_SMS (default 4), FAKE_CUDA_BLOCKS_PER_SM
// (occupancy, default 2), FAKE_CUDA_BATCH_TILE (rows per grid z, default 8),
// FAKE_CUDA_BACKWARD_BATCH_TILE (the backward's, default 4),
// FAKE_CUDA_MEMORY (bytes the device has, default 1 GiB),
// FAKE_CUDA_SKIP_ROW (a batch row the kernels do not write),
// FAKE_CUDA_SKIP_KERNEL (a kind, e.g. backward_reduce, that writes nothing),
// FAKE_CUDA_DIRTY_WORKSPACE (backward_reduce leaves a partial sum behind),
// FAKE_CUDA_ACTIVE_CLUSTERS (cuOccupancyMaxActiveClusters' answer; default
// SMs x blocks per SM / cluster width), FAKE_CUDA_NO_CLUSTER_OCCUPANCY (that
// query fails, CUDA_ERROR_NOT_SUPPORTED, as on a driver that cannot say).
// A PTX text containing FAKE_INVALID_PTX fails to load with a ptxas-like log.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using Result = int;
enum : int {
  kSuccess = 0,
  kInvalidValue = 1,
  kOutOfMemory = 2,
  kInvalidPtx = 218,
  kNotFound = 500,
  kNotSupported = 801,
};

int64_t env(const char *name, int64_t fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::strtoll(v, nullptr, 10) : fallback;
}

std::map<uint64_t, size_t> &allocations() {
  static std::map<uint64_t, size_t> a;
  return a;
}
size_t allocated = 0;

struct FakeModule {
  std::string ptx;
};
struct FakeFunction {
  std::string name;
  int clusterWidth = 0; // the entry's .reqnctapercluster x, or 0
};

/// A memref descriptor read from the parameter list.
struct Memref {
  uint64_t pointer = 0;
  std::vector<int64_t> sizes;
};

bool readMemref(void **params, size_t &at, int rank, const char *name,
                Memref &out) {
  auto slot = [&](size_t i) {
    int64_t v;
    std::memcpy(&v, params[i], 8);
    return v;
  };
  uint64_t allocatedPtr = uint64_t(slot(at)), aligned = uint64_t(slot(at + 1));
  int64_t offset = slot(at + 2);
  out.pointer = aligned;
  out.sizes.clear();
  for (int i = 0; i < rank; ++i)
    out.sizes.push_back(slot(at + 3 + i));
  int64_t stride = 1;
  bool ok = allocatedPtr == aligned && offset == 0 && allocations().count(aligned);
  for (int i = rank - 1; i >= 0 && ok; --i) {
    ok = slot(at + 3 + rank + i) == stride;
    stride *= out.sizes[i];
  }
  at += 3 + 2 * rank;
  if (!ok)
    std::fprintf(stderr, "fake-cuda: bad memref descriptor for %s\n", name);
  return ok;
}

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

bool allBytes(uint64_t pointer, size_t n, uint8_t value) {
  const auto *p = reinterpret_cast<const uint8_t *>(pointer);
  for (size_t i = 0; i < n; ++i)
    if (p[i] != value)
      return false;
  return true;
}

/// The element size of the package dtype, from an allocation of `n` values.
size_t elementSize(const Memref &m, int64_t n) {
  return allocations()[m.pointer] / size_t(n);
}

void report(const std::string &name, bool cooperative, unsigned gx,
            unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
            unsigned smem, const char *batchBegin, size_t params,
            const char *problem) {
  std::fprintf(stderr,
               "fake-cuda: %s %s grid (%u, %u, %u) block (%u, %u, %u) "
               "shared %u%s%s params %zu%s\n",
               cooperative ? "cooperative launch" : "launch", name.c_str(), gx,
               gy, gz, bx, by, bz, smem, batchBegin ? " batch_begin " : "",
               batchBegin ? batchBegin : "", params, problem);
}

/// forward and forward_train (the same first 9 arguments).
Result launchForward(const std::string &name, bool train, unsigned gx,
                     unsigned gy, unsigned gz, unsigned bx, unsigned by,
                     unsigned bz, unsigned smem, void **params,
                     bool cooperative) {
  size_t at = 0;
  Memref wx, r, b, s0, states, last, hx, sync, savedGates, savedStates;
  if (!readMemref(params, at, 5, "wx", wx) ||
      !readMemref(params, at, 4, "r", r) ||
      !readMemref(params, at, 3, "b", b) ||
      !readMemref(params, at, 4, "s0", s0) ||
      !readMemref(params, at, 5, "states", states) ||
      !readMemref(params, at, 4, "last", last) ||
      !readMemref(params, at, 4, "h_exchange", hx) ||
      !readMemref(params, at, 1, "sync", sync))
    return kInvalidValue;
  int32_t batchBegin;
  std::memcpy(&batchBegin, params[at], 4);
  size_t afterBegin = at + 1;
  if (train && (!readMemref(params, afterBegin, 5, "saved_gates", savedGates) ||
                !readMemref(params, afterBegin, 5, "saved_states",
                            savedStates)))
    return kInvalidValue;
  int64_t B = wx.sizes[0], T = wx.sizes[1], NH = wx.sizes[3],
          DH = wx.sizes[4], S = s0.sizes[0];
  int64_t tile = env("FAKE_CUDA_BATCH_TILE", 8);
  bool shapesOk =
      s0.sizes == std::vector<int64_t>{S, B, NH, DH} &&
      states.sizes == std::vector<int64_t>{S, B, T, NH, DH} &&
      last.sizes == std::vector<int64_t>{S, B, NH, DH} &&
      hx.sizes == std::vector<int64_t>{2, B, NH, DH} &&
      sync.sizes == std::vector<int64_t>{NH * ((B + tile - 1) / tile)} &&
      r.sizes[1] == NH && b.sizes[1] == NH && int64_t(gy) == NH &&
      batchBegin % tile == 0;
  if (train)
    shapesOk = shapesOk && savedGates.sizes.size() == 5 &&
               savedGates.sizes[0] == B && savedGates.sizes[1] == T &&
               savedGates.sizes[3] == NH && savedGates.sizes[4] == DH &&
               savedStates.sizes == states.sizes;
  std::string begin = std::to_string(batchBegin);
  report(name, cooperative, gx, gy, gz, bx, by, bz, smem, begin.c_str(),
         train ? afterBegin : at + 1, shapesOk ? "" : " BAD SHAPES");
  if (!shapesOk)
    return kInvalidValue;
  const char *skipKernel = std::getenv("FAKE_CUDA_SKIP_KERNEL");
  if (skipKernel && std::string(skipKernel) == (train ? "forward_train"
                                                        : "forward"))
    return kSuccess;
  size_t es = elementSize(s0, S * B * NH * DH);
  auto *src = reinterpret_cast<uint8_t *>(s0.pointer);
  auto *st = reinterpret_cast<uint8_t *>(states.pointer);
  auto *ls = reinterpret_cast<uint8_t *>(last.pointer);
  auto *sg = reinterpret_cast<uint8_t *>(savedGates.pointer);
  auto *ss = reinterpret_cast<uint8_t *>(savedStates.pointer);
  int64_t skip = env("FAKE_CUDA_SKIP_ROW", -1);
  size_t row = size_t(NH * DH) * es;
  for (int64_t bb = batchBegin;
       bb < std::min<int64_t>(B, batchBegin + int64_t(gz) * tile); ++bb) {
    if (bb == skip)
      continue;
    for (int64_t s = 0; s < S; ++s) {
      const uint8_t *from = src + size_t(s * B + bb) * row;
      std::memcpy(ls + size_t(s * B + bb) * row, from, row);
      for (int64_t t = 0; t < T; ++t) {
        std::memcpy(st + size_t((s * B + bb) * T + t) * row, from, row);
        if (train)
          std::memset(ss + size_t((s * B + bb) * T + t) * NH * DH * 4, 0,
                      size_t(NH * DH) * 4);
      }
    }
    if (train) {
      size_t perRow = size_t(T * savedGates.sizes[2] * NH * DH) * 4;
      std::memset(sg + size_t(bb) * perRow, 0, perRow);
    }
  }
  return kSuccess;
}

Result launchBackward(const std::string &name, unsigned gx, unsigned gy,
                      unsigned gz, unsigned bx, unsigned by, unsigned bz,
                      unsigned smem, void **params, bool cooperative) {
  size_t at = 0;
  Memref r, s0, savedGates, savedStates, dstates, dlast, dwx, ds0, dgates, hx,
      sync, progress;
  if (!readMemref(params, at, 4, "r", r) ||
      !readMemref(params, at, 4, "s0", s0) ||
      !readMemref(params, at, 5, "saved_gates", savedGates) ||
      !readMemref(params, at, 5, "saved_states", savedStates) ||
      !readMemref(params, at, 5, "dstates", dstates) ||
      !readMemref(params, at, 4, "dlast", dlast) ||
      !readMemref(params, at, 5, "dwx", dwx) ||
      !readMemref(params, at, 4, "ds0", ds0) ||
      !readMemref(params, at, 5, "dgates", dgates) ||
      !readMemref(params, at, 5, "h_exchange", hx) ||
      !readMemref(params, at, 1, "sync", sync) ||
      !readMemref(params, at, 1, "progress", progress))
    return kInvalidValue;
  int32_t batchBegin;
  std::memcpy(&batchBegin, params[at], 4);
  int64_t B = dwx.sizes[0], T = dwx.sizes[1], NH = dwx.sizes[3],
          DH = dwx.sizes[4], S = s0.sizes[0], Gr = r.sizes[0],
          NA = savedGates.sizes[2];
  int64_t tile = env("FAKE_CUDA_BACKWARD_BATCH_TILE", 4);
  bool shapesOk =
      s0.sizes == std::vector<int64_t>{S, B, NH, DH} &&
      savedGates.sizes == std::vector<int64_t>{B, T, NA, NH, DH} &&
      savedStates.sizes == std::vector<int64_t>{S, B, T, NH, DH} &&
      dstates.sizes == savedStates.sizes && dlast.sizes == s0.sizes &&
      ds0.sizes == s0.sizes && dgates.sizes == savedGates.sizes &&
      hx.sizes == std::vector<int64_t>{2, B, NH, Gr, DH} &&
      sync.sizes == std::vector<int64_t>{NH * ((B + tile - 1) / tile)} &&
      progress.sizes ==
          std::vector<int64_t>{1 + NH * ((B + tile - 1) / tile) * gx} &&
      r.sizes[1] == NH && int64_t(gy) == NH && batchBegin % tile == 0;
  const char *problem = shapesOk ? "" : " BAD SHAPES";
  // The runtime must zero the counters before every launch.
  if (shapesOk && !allBytes(sync.pointer, size_t(sync.sizes[0]) * 4, 0))
    problem = " SYNC NOT ZEROED";
  int64_t end = std::min<int64_t>(B, batchBegin + int64_t(gz) * tile);
  size_t gatesPerRow = size_t(T * NA * NH * DH) * 4;
  int64_t skip = env("FAKE_CUDA_SKIP_ROW", -1);
  // forward_train must have run first (its rows of saved_gates are zero).
  for (int64_t bb = batchBegin; shapesOk && !*problem && bb < end; ++bb)
    if (bb != skip &&
        !allBytes(savedGates.pointer + size_t(bb) * gatesPerRow, gatesPerRow,
                  0))
      problem = " BEFORE FORWARD_TRAIN";
  std::string begin = std::to_string(batchBegin);
  report(name, cooperative, gx, gy, gz, bx, by, bz, smem, begin.c_str(),
         at + 1, problem);
  if (*problem)
    return kInvalidValue;
  const char *skipKernel = std::getenv("FAKE_CUDA_SKIP_KERNEL");
  if (skipKernel && std::string(skipKernel) == "backward")
    return kSuccess;
  size_t es = elementSize(dlast, S * B * NH * DH);
  size_t row = size_t(NH * DH) * es;
  auto *dl = reinterpret_cast<uint8_t *>(dlast.pointer);
  auto *d0 = reinterpret_cast<uint8_t *>(ds0.pointer);
  auto *dw = reinterpret_cast<uint8_t *>(dwx.pointer);
  auto *dg = reinterpret_cast<uint8_t *>(dgates.pointer);
  size_t dwxPerRow = size_t(T * dwx.sizes[2] * NH * DH) * es;
  for (int64_t bb = batchBegin; bb < end; ++bb) {
    if (bb == skip)
      continue;
    for (int64_t s = 0; s < S; ++s)
      std::memcpy(d0 + size_t(s * B + bb) * row, dl + size_t(s * B + bb) * row,
                  row);
    std::memset(dw + size_t(bb) * dwxPerRow, 0, dwxPerRow);
    std::memset(dg + size_t(bb) * gatesPerRow, 0, gatesPerRow);
  }
  // The progress protocol (lowering/Common/BackwardProgress.h): every CTA
  // counts itself as started and ends with all T steps published.
  auto *words = reinterpret_cast<int32_t *>(progress.pointer);
  words[0] += int32_t(gx * gy * gz);
  int64_t tiles = (B + tile - 1) / tile;
  for (int64_t n = 0; n < NH; ++n)
    for (int64_t z = 0; z < int64_t(gz); ++z)
      for (int64_t c = 0; c < int64_t(gx); ++c)
        words[1 + (n * tiles + batchBegin / tile + z) * gx + c] = int32_t(T);
  return kSuccess;
}

Result launchReduce(const std::string &name, unsigned gx, unsigned gy,
                    unsigned gz, unsigned bx, unsigned by, unsigned bz,
                    unsigned smem, void **params, bool cooperative) {
  size_t at = 0;
  Memref s0, savedStates, dgates, dr, db, partial, sync, progress;
  if (!readMemref(params, at, 4, "s0", s0) ||
      !readMemref(params, at, 5, "saved_states", savedStates) ||
      !readMemref(params, at, 5, "dgates", dgates) ||
      !readMemref(params, at, 4, "dr", dr) ||
      !readMemref(params, at, 3, "db", db) ||
      !readMemref(params, at, 4, "partial", partial) ||
      !readMemref(params, at, 1, "sync", sync) ||
      !readMemref(params, at, 1, "progress", progress))
    return kInvalidValue;
  int64_t S = s0.sizes[0], B = s0.sizes[1], NH = s0.sizes[2],
          DH = s0.sizes[3], T = savedStates.sizes[2];
  bool shapesOk =
      savedStates.sizes == std::vector<int64_t>{S, B, T, NH, DH} &&
      dgates.sizes.size() == 5 && dgates.sizes[0] == B &&
      dgates.sizes[1] == T && dgates.sizes[3] == NH && dgates.sizes[4] == DH &&
      dr.sizes == std::vector<int64_t>{dr.sizes[0], NH, DH, DH} &&
      db.sizes == std::vector<int64_t>{db.sizes[0], NH, DH} &&
      partial.sizes ==
          std::vector<int64_t>{NH, dgates.sizes[2], DH, DH + 1} &&
      sync.sizes == std::vector<int64_t>{NH * dgates.sizes[2] * DH} &&
      progress.sizes.size() == 1 && progress.sizes[0] > NH &&
      int64_t(gy) == NH && !cooperative;
  const char *problem = shapesOk ? "" : " BAD SHAPES";
  // The workspace is zero at every launch (the real kernel leaves it so).
  if (shapesOk && (!allBytes(partial.pointer, allocations()[partial.pointer], 0) ||
                   !allBytes(sync.pointer, allocations()[sync.pointer], 0)))
    problem = " WORKSPACE NOT ZERO";
  // It sums dgates over the whole batch: every backward launch must be done
  // (no row left unwritten, except one the tests skip on purpose).
  int64_t skip = env("FAKE_CUDA_SKIP_ROW", -1);
  size_t perRow = size_t(T * dgates.sizes[2] * NH * DH) * 4;
  for (int64_t bb = 0; shapesOk && !*problem && bb < B; ++bb)
    if (bb != skip && std::getenv("FAKE_CUDA_SKIP_KERNEL") == nullptr &&
        !allBytes(dgates.pointer + size_t(bb) * perRow, perRow, 0))
      problem = " BEFORE THE BACKWARD FINISHED";
  // ... and have published every step (the real kernel would wait).
  for (int64_t w = 1; shapesOk && !*problem && w < progress.sizes[0]; ++w)
    if (std::getenv("FAKE_CUDA_SKIP_KERNEL") == nullptr &&
        reinterpret_cast<int32_t *>(progress.pointer)[w] < T)
      problem = " PROGRESS NOT PUBLISHED";
  report(name, cooperative, gx, gy, gz, bx, by, bz, smem, nullptr, at,
         problem);
  if (*problem)
    return kInvalidValue;
  const char *skipKernel = std::getenv("FAKE_CUDA_SKIP_KERNEL");
  if (skipKernel && std::string(skipKernel) == "backward_reduce")
    return kSuccess;
  // FAKE_CUDA_DIRTY_WORKSPACE: leave a partial sum behind, as a reduction
  // that does not clean up would (the runtime must notice).
  if (std::getenv("FAKE_CUDA_DIRTY_WORKSPACE"))
    *reinterpret_cast<float *>(partial.pointer) = 1.0f;
  std::memset(reinterpret_cast<void *>(dr.pointer), 0,
              allocations()[dr.pointer]);
  std::memset(reinterpret_cast<void *>(db.pointer), 0,
              allocations()[db.pointer]);
  return kSuccess;
}

Result launch(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
              unsigned by, unsigned bz, unsigned smem, void **params,
              bool cooperative) {
  const std::string &name = static_cast<FakeFunction *>(f)->name;
  // A batch variant (flashrnn-fuse-time-loop): <kind>_from<N>tiles.
  std::string kind = name;
  size_t from = kind.rfind("_from");
  if (from != std::string::npos && endsWith(kind, "tiles"))
    kind.resize(from);
  if (endsWith(kind, "_backward_reduce"))
    return launchReduce(name, gx, gy, gz, bx, by, bz, smem, params,
                        cooperative);
  if (endsWith(kind, "_backward"))
    return launchBackward(name, gx, gy, gz, bx, by, bz, smem, params,
                          cooperative);
  return launchForward(name, endsWith(kind, "_forward_train"), gx, gy, gz, bx,
                       by, bz, smem, params, cooperative);
}

} // namespace

extern "C" {

Result cuInit(unsigned) { return kSuccess; }
Result cuDriverGetVersion(int *v) {
  *v = 12080;
  return kSuccess;
}
Result cuDeviceGet(int *d, int ordinal) {
  *d = ordinal;
  return ordinal == 0 ? kSuccess : kInvalidValue;
}
Result cuDeviceGetCount(int *n) {
  *n = 1;
  return kSuccess;
}
Result cuDeviceGetAttribute(int *v, int attribute, int) {
  switch (attribute) {
  case 1: *v = 1024; break;                                // threads/block
  case 6: case 7: *v = 65535; break;                       // grid y, z
  case 16: *v = int(env("FAKE_CUDA_SMS", 4)); break;       // SMs
  case 75: *v = 9; break;                                  // cc major
  case 76: *v = 0; break;                                  // cc minor
  case 95: *v = 1; break;                                  // cooperative
  case 97: *v = 232448; break;                             // opt-in smem
  default: return kInvalidValue;
  }
  return kSuccess;
}
Result cuDeviceGetName(char *name, int len, int) {
  std::snprintf(name, size_t(len), "FlashRNN fake CUDA device");
  return kSuccess;
}
Result cuDevicePrimaryCtxRetain(void **ctx, int) {
  static int context;
  *ctx = &context;
  return kSuccess;
}
// The calling thread's current context, as the driver keeps it: null until
// someone (the runtime, or a framework before it) makes one current.
thread_local void *currentContext = nullptr;
Result cuCtxSetCurrent(void *ctx) {
  currentContext = ctx;
  return kSuccess;
}
Result cuCtxGetCurrent(void **ctx) {
  *ctx = currentContext;
  return kSuccess;
}
Result cuCtxSynchronize() { return kSuccess; }
Result cuModuleLoadDataEx(void **module, const void *image, unsigned n,
                          int *options, void **values) {
  std::string ptx = static_cast<const char *>(image);
  if (ptx.find("FAKE_INVALID_PTX") != std::string::npos) {
    for (unsigned i = 0; i < n; ++i)
      if (options[i] == 5) // error log buffer
        std::snprintf(static_cast<char *>(values[i]), 256,
                      "ptxas fatal   : fake syntax error at line 1");
    return kInvalidPtx;
  }
  *module = new FakeModule{ptx};
  return kSuccess;
}
Result cuModuleGetFunction(void **f, void *module, const char *name) {
  if (static_cast<FakeModule *>(module)->ptx.find(name) == std::string::npos)
    return kNotFound;
  // The entry's cluster shape, as ptxas would record it: the first
  // ".reqnctapercluster X" after ".entry NAME" and before the next entry.
  const std::string &ptx = static_cast<FakeModule *>(module)->ptx;
  int width = 0;
  size_t at = ptx.find(std::string(".entry ") + name);
  if (at != std::string::npos) {
    size_t next = ptx.find(".entry ", at + 1);
    size_t cluster = ptx.find(".reqnctapercluster ", at);
    if (cluster != std::string::npos && cluster < next)
      width = std::atoi(ptx.c_str() + cluster + 19);
  }
  *f = new FakeFunction{name, width};
  return kSuccess;
}
Result cuFuncGetAttribute(int *value, int attribute, void *f) {
  constexpr int kRequiredClusterWidth = 11;
  *value = attribute == kRequiredClusterWidth
               ? static_cast<FakeFunction *>(f)->clusterWidth
               : 0;
  return kSuccess;
}
Result cuModuleUnload(void *module) {
  delete static_cast<FakeModule *>(module);
  return kSuccess;
}
Result cuFuncSetAttribute(void *, int attribute, int value) {
  std::fprintf(stderr, "fake-cuda: set function attribute %d = %d\n",
               attribute, value);
  // FAKE_CUDA_PORTABLE_CLUSTERS_ONLY: a device without non-portable
  // cluster sizes (NON_PORTABLE_CLUSTER_SIZE_ALLOWED = 14).
  if (attribute == 14 && env("FAKE_CUDA_PORTABLE_CLUSTERS_ONLY", 0))
    return kInvalidValue;
  return kSuccess;
}
Result cuOccupancyMaxActiveBlocksPerMultiprocessor(int *n, void *, int,
                                                   size_t) {
  *n = int(env("FAKE_CUDA_BLOCKS_PER_SM", 2));
  return kSuccess;
}
// CUlaunchConfig's leading fields (the grid; the rest is not read).
struct FakeLaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ;
};
Result cuOccupancyMaxActiveClusters(int *n, void *f,
                                    const FakeLaunchConfig *config) {
  int width = static_cast<FakeFunction *>(f)->clusterWidth;
  if (env("FAKE_CUDA_NO_CLUSTER_OCCUPANCY", 0) || width < 1 ||
      config->gridDimX % unsigned(width) != 0)
    return kNotSupported;
  int64_t resident = env("FAKE_CUDA_SMS", 4) * env("FAKE_CUDA_BLOCKS_PER_SM", 2);
  *n = int(env("FAKE_CUDA_ACTIVE_CLUSTERS", resident / width));
  std::fprintf(stderr, "fake-cuda: %s holds %d clusters of %d CTAs\n",
               static_cast<FakeFunction *>(f)->name.c_str(), *n, width);
  return kSuccess;
}
Result cuMemAlloc_v2(uint64_t *p, size_t bytes) {
  if (allocated + bytes > size_t(env("FAKE_CUDA_MEMORY", int64_t(1) << 30)))
    return kOutOfMemory;
  // cuMemAlloc's pointers are 256-byte aligned; so are these.
  void *m = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!m)
    return kOutOfMemory;
  *p = reinterpret_cast<uint64_t>(m);
  allocations()[*p] = bytes;
  allocated += bytes;
  return kSuccess;
}
Result cuMemFree_v2(uint64_t p) {
  auto it = allocations().find(p);
  if (it == allocations().end())
    return kInvalidValue;
  allocated -= it->second;
  allocations().erase(it);
  std::free(reinterpret_cast<void *>(p));
  return kSuccess;
}
Result cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t n) {
  std::memcpy(reinterpret_cast<void *>(dst), src, n);
  return kSuccess;
}
Result cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t n) {
  std::memcpy(dst, reinterpret_cast<void *>(src), n);
  return kSuccess;
}
Result cuMemsetD8_v2(uint64_t dst, unsigned char v, size_t n) {
  std::memset(reinterpret_cast<void *>(dst), v, n);
  return kSuccess;
}
Result cuMemsetD32Async(uint64_t dst, unsigned v, size_t n, void *) {
  uint32_t *p = reinterpret_cast<uint32_t *>(dst);
  for (size_t i = 0; i < n; ++i)
    p[i] = v;
  return kSuccess;
}
Result cuMemGetInfo_v2(size_t *freeBytes, size_t *total) {
  *total = size_t(env("FAKE_CUDA_MEMORY", int64_t(1) << 30));
  *freeBytes = *total - allocated;
  return kSuccess;
}
Result cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                      unsigned bx, unsigned by, unsigned bz, unsigned smem,
                      void *, void **params, void **) {
  return launch(f, gx, gy, gz, bx, by, bz, smem, params, false);
}
Result cuLaunchCooperativeKernel(void *f, unsigned gx, unsigned gy,
                                 unsigned gz, unsigned bx, unsigned by,
                                 unsigned bz, unsigned smem, void *,
                                 void **params) {
  return launch(f, gx, gy, gz, bx, by, bz, smem, params, true);
}
// Streams: every launch runs at once, so a second stream is only a handle,
// and a wait on a device word must find it already satisfied.
Result cuStreamCreate(void **stream, unsigned flags) {
  *stream = new int(int(flags));
  std::fprintf(stderr, "fake-cuda: create stream (flags %u)\n", flags);
  return kSuccess;
}
Result cuStreamDestroy_v2(void *stream) {
  delete static_cast<int *>(stream);
  return kSuccess;
}
Result cuStreamWaitEvent(void *, void *, unsigned) { return kSuccess; }
Result cuStreamWaitValue32_v2(void *stream, uint64_t address, uint32_t value,
                              unsigned flags) {
  int32_t now = *reinterpret_cast<int32_t *>(address);
  bool met = flags == 0 && int32_t(uint32_t(now) - value) >= 0;
  std::fprintf(stderr, "fake-cuda: stream %s waits for word >= %u: %d%s\n",
               stream ? "side" : "legacy", value, now,
               met ? "" : " NOT MET");
  return met ? kSuccess : kInvalidValue;
}
Result cuEventCreate(void **e, unsigned) {
  *e = new int(0);
  return kSuccess;
}
Result cuEventRecord(void *, void *) { return kSuccess; }
Result cuEventSynchronize(void *) { return kSuccess; }
Result cuEventElapsedTime(float *ms, void *, void *) {
  *ms = 0.5f;
  return kSuccess;
}
Result cuEventDestroy_v2(void *e) {
  delete static_cast<int *>(e);
  return kSuccess;
}
Result cuGetErrorName(Result e, const char **s) {
  switch (e) {
  case kInvalidValue: *s = "CUDA_ERROR_INVALID_VALUE"; break;
  case kOutOfMemory: *s = "CUDA_ERROR_OUT_OF_MEMORY"; break;
  case kInvalidPtx: *s = "CUDA_ERROR_INVALID_PTX"; break;
  case kNotFound: *s = "CUDA_ERROR_NOT_FOUND"; break;
  case kNotSupported: *s = "CUDA_ERROR_NOT_SUPPORTED"; break;
  default: return kInvalidValue;
  }
  return kSuccess;
}
Result cuGetErrorString(Result e, const char **s) {
  switch (e) {
  case kInvalidValue: *s = "invalid argument"; break;
  case kOutOfMemory: *s = "out of memory"; break;
  case kInvalidPtx: *s = "a PTX JIT compilation failed"; break;
  case kNotFound: *s = "named symbol not found"; break;
  case kNotSupported: *s = "operation not supported"; break;
  default: return kInvalidValue;
  }
  return kSuccess;
}

} // extern "C"
