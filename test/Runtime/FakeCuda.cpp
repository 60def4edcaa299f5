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
// Its "kernel" checks every memref descriptor against the forward contract and
// copies s0 into states (every step) and last for the launch's batch rows, so
// results are predictable. It prints one line per launch on stderr.
//
// Knobs (environment): FAKE_CUDA_SMS (default 4), FAKE_CUDA_BLOCKS_PER_SM
// (occupancy, default 2), FAKE_CUDA_BATCH_TILE (rows per grid z, default 8),
// FAKE_CUDA_MEMORY (bytes the device has, default 1 GiB),
// FAKE_CUDA_SKIP_ROW (a batch row the kernel does not write).
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

Result launch(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
              unsigned by, unsigned bz, unsigned smem, void **params,
              bool cooperative) {
  size_t at = 0;
  Memref wx, r, b, s0, states, last, hx, sync;
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
  std::fprintf(stderr,
               "fake-cuda: %s %s grid (%u, %u, %u) block (%u, %u, %u) "
               "shared %u batch_begin %d params %zu%s\n",
               cooperative ? "cooperative launch" : "launch",
               static_cast<FakeFunction *>(f)->name.c_str(), gx, gy, gz, bx,
               by, bz, smem, batchBegin, at + 1,
               shapesOk ? "" : " BAD SHAPES");
  if (!shapesOk)
    return kInvalidValue;
  // The element size of the package dtype, from the allocation.
  size_t es = allocations()[s0.pointer] / size_t(S * B * NH * DH);
  auto *src = reinterpret_cast<uint8_t *>(s0.pointer);
  auto *st = reinterpret_cast<uint8_t *>(states.pointer);
  auto *ls = reinterpret_cast<uint8_t *>(last.pointer);
  int64_t skip = env("FAKE_CUDA_SKIP_ROW", -1);
  size_t row = size_t(NH * DH) * es;
  for (int64_t bb = batchBegin;
       bb < std::min<int64_t>(B, batchBegin + int64_t(gz) * tile); ++bb) {
    if (bb == skip)
      continue;
    for (int64_t s = 0; s < S; ++s) {
      const uint8_t *from = src + size_t(s * B + bb) * row;
      std::memcpy(ls + size_t(s * B + bb) * row, from, row);
      for (int64_t t = 0; t < T; ++t)
        std::memcpy(st + size_t((s * B + bb) * T + t) * row, from, row);
    }
  }
  return kSuccess;
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
Result cuCtxSetCurrent(void *) { return kSuccess; }
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
  *f = new FakeFunction{name};
  return kSuccess;
}
Result cuModuleUnload(void *module) {
  delete static_cast<FakeModule *>(module);
  return kSuccess;
}
Result cuFuncSetAttribute(void *, int attribute, int value) {
  std::fprintf(stderr, "fake-cuda: set function attribute %d = %d\n",
               attribute, value);
  return kSuccess;
}
Result cuOccupancyMaxActiveBlocksPerMultiprocessor(int *n, void *, int,
                                                   size_t) {
  *n = int(env("FAKE_CUDA_BLOCKS_PER_SM", 2));
  return kSuccess;
}
Result cuMemAlloc_v2(uint64_t *p, size_t bytes) {
  if (allocated + bytes > size_t(env("FAKE_CUDA_MEMORY", int64_t(1) << 30)))
    return kOutOfMemory;
  void *m = std::malloc(bytes);
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
  default: return kInvalidValue;
  }
  return kSuccess;
}

} // extern "C"
