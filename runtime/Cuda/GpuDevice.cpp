//===- GpuDevice.cpp - Launches on the caller's device buffers ------------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Cuda/GpuDevice.h"

#include "runtime/Cuda/GpuBackward.h"
#include "runtime/Reference.h"

#include <set>
#include <sstream>

namespace flashrnn {
namespace cuda {

namespace {

const char *const kKinds = "forward, forward_train, backward, backward_reduce";

bool isDeviceKind(const std::string &kind) {
  return kind == "forward" || kind == "forward_train" || kind == "backward" ||
         kind == "backward_reduce";
}

/// The kernels `kind` needs: itself, and for the training kinds all three
/// (the workspaces they hand each other are sized by each other's
/// schedules).
bool kernelsFor(const std::vector<KernelSpec> &specs, const std::string &kind,
                int64_t batch, int64_t heads, const KernelSpec *&k,
                TrainingKernels &tk, std::string &error) {
  if (!isDeviceKind(kind)) {
    error = "unknown kernel kind '" + kind + "' (expected one of " + kKinds +
            ")";
    return false;
  }
  k = selectKernel(specs, kind, batch, heads);
  if (!k) {
    error = "the package has no GPU kernel of kind \"" + kind + "\"" +
            (kind == "forward" ? " (was it compiled with --cpu-only?)"
                               : " (was it compiled with --inference-only "
                                 "or --cpu-only?)");
    return false;
  }
  if (kind == "forward")
    return true;
  std::string missing;
  if (!findTrainingKernels(specs, tk, missing, batch, heads)) {
    error = "the package has no GPU kernel of kind \"" + missing +
            "\", which the training kinds need";
    return false;
  }
  return true;
}

} // namespace

bool deviceArgs(const Manifest &m, const std::vector<KernelSpec> &specs,
                const std::string &kind, int64_t batch, int64_t seq,
                int64_t heads, std::vector<DeviceArg> &args,
                std::string &error) {
  args.clear();
  const KernelSpec *k = nullptr;
  TrainingKernels tk;
  if (!kernelsFor(specs, kind, batch, heads, k, tk, error))
    return false;
  if (!checkDims(m, RunDims{batch, seq, heads}, error))
    return false;
  std::string pub = dtypeName(m.dtype);
  if (kind == "forward") {
    ForwardShapes s = forwardShapes(m, *k, batch, seq, heads);
    args = {{"wx", s.wx, pub},         {"r", s.r, pub},
            {"b", s.b, pub},           {"s0", s.s0, pub},
            {"states", s.states, pub}, {"last", s.last, pub},
            {"h_exchange", s.hExchange, "f32"}, {"sync", s.sync, "i32"}};
    return true;
  }
  TrainingShapes s =
      trainingShapes(m, *tk.forwardTrain, *tk.backward, batch, seq, heads);
  if (kind == "forward_train")
    args = {{"wx", s.forward.wx, pub},
            {"r", s.forward.r, pub},
            {"b", s.forward.b, pub},
            {"s0", s.forward.s0, pub},
            {"states", s.forward.states, pub},
            {"last", s.forward.last, pub},
            {"h_exchange", s.forward.hExchange, "f32"},
            {"sync", s.forward.sync, "i32"},
            {"saved_gates", s.savedGates, "f32"},
            {"saved_states", s.savedStates, "f32"}};
  else if (kind == "backward")
    args = {{"r", s.forward.r, pub},
            {"s0", s.forward.s0, pub},
            {"saved_gates", s.savedGates, "f32"},
            {"saved_states", s.savedStates, "f32"},
            {"dstates", s.dstates, pub},
            {"dlast", s.dlast, pub},
            {"dwx", s.dwx, pub},
            {"ds0", s.ds0, pub},
            {"dgates", s.dgates, "f32"},
            {"h_exchange", s.backwardExchange, "f32"},
            {"sync", s.backwardSync, "i32"},
            {"progress", s.progress, "i32"}};
  else
    args = {{"s0", s.forward.s0, pub},
            {"saved_states", s.savedStates, "f32"},
            {"dgates", s.dgates, "f32"},
            {"dr", s.dr, pub},
            {"db", s.db, pub},
            {"partial", s.reducePartial, "f32"},
            {"sync", s.reduceSync, "i32"},
            {"progress", s.progress, "i32"}};
  return true;
}

bool DeviceLauncher::specs(const std::vector<KernelSpec> *&out,
                           std::string &error) {
  std::lock_guard<std::mutex> lock(mutex);
  return specsLocked(out, error);
}

bool DeviceLauncher::specsLocked(const std::vector<KernelSpec> *&out,
                                 std::string &error) {
  if (!loaded) {
    loaded = true;
    if (!loadKernelSpecs(packageDir, m, kernelSpecs, loadError))
      kernelSpecs.clear();
  }
  if (!loadError.empty()) {
    error = loadError;
    return false;
  }
  out = &kernelSpecs;
  return true;
}

bool DeviceLauncher::launch(const std::string &kind, int64_t batch,
                            int64_t seq, int64_t heads, int numBuffers,
                            const char *const *names, void *const *pointers,
                            CuStream stream, std::string &error,
                            bool &deviceError) {
  std::lock_guard<std::mutex> lock(mutex);
  deviceError = false;
  const std::vector<KernelSpec> *all = nullptr;
  if (!specsLocked(all, error))
    return false;
  std::vector<DeviceArg> args;
  if (!deviceArgs(m, *all, kind, batch, seq, heads, args, error))
    return false;

  // Every buffer argument exactly once, nothing else.
  std::map<std::string, uint64_t> given;
  std::string expected;
  for (const DeviceArg &a : args)
    expected += (expected.empty() ? "" : ", ") + a.name;
  for (int i = 0; i < numBuffers; ++i) {
    std::string name = names[i] ? names[i] : "";
    bool known = false;
    for (const DeviceArg &a : args)
      known |= a.name == name;
    if (!known) {
      error = "the " + kind + " kernel has no buffer argument '" + name +
              "' (its arguments: " + expected + ")";
      return false;
    }
    if (!given.emplace(name, uint64_t(uintptr_t(pointers[i]))).second) {
      error = "buffer '" + name + "' given twice";
      return false;
    }
  }
  for (const DeviceArg &a : args) {
    auto it = given.find(a.name);
    if (it == given.end()) {
      error = "the " + kind + " kernel needs the buffer '" + a.name +
              "' (its arguments: " + expected + ")";
      return false;
    }
    if (!it->second && numElements(a.shape) > 0) {
      error = "buffer '" + a.name + "' is a null pointer";
      return false;
    }
  }
  for (const DeviceArg &a : args) {
    // Every buffer must be 16-byte aligned: the tensor-core kernels read
    // R as pairs of 16-bit elements, copy Wx into shared memory in 16-byte
    // pieces (cp.async) and write the per-step outputs as 16-byte runs
    // (staged stores). A misaligned pointer would otherwise
    // fail inside the kernel as a "misaligned address" launch error.
    // cuMemAlloc and PyTorch's allocator return 256-byte aligned memory;
    // only views at an offset can miss.
    auto it = given.find(a.name);
    const uint64_t align = 16;
    if (it->second % align != 0) {
      std::ostringstream at;
      at << std::hex << it->second;
      error = "buffer '" + a.name + "' at 0x" + at.str() + " is not " +
              std::to_string(align) +
              "-byte aligned (a tensor view with an odd offset? pass a "
              "contiguous copy)";
      return false;
    }
  }
  auto ptr = [&](const char *name) {
    auto it = given.find(name);
    return it == given.end() ? uint64_t(0) : it->second;
  };

  std::string why;
  Driver *drv = Driver::get(why, /*makeCurrent=*/false);
  if (!drv) {
    error = why;
    return false;
  }
  deviceError = true;
  try {
    // The framework's context (PyTorch makes its device's primary context
    // current before it touches a tensor); without one, device 0's.
    CuContext ctx = drv->currentContext();
    if (!ctx) {
      drv->makeCurrent();
      ctx = drv->currentContext();
    }
    auto key = std::make_tuple(ctx, kind, batch, heads);
    std::unique_ptr<PreparedKernel> &pk = prepared[key];
    if (!pk) {
      std::unique_ptr<ModuleCache> &mc = modules[ctx];
      if (!mc)
        mc = std::make_unique<ModuleCache>(*drv);
      // deviceArgs checked above that the kind has a kernel. The entry
      // weighed on this device has the batch tile of selectKernel's, which
      // sized the caller's workspaces.
      pk = prepareKernel(*drv, *mc, *all, kind, batch, heads);
    }
    const KernelSpec *k = &pk->spec();

    // Shapes and parameters through the same code as the host paths, so
    // that the two cannot disagree on the contract.
    TrainingBuffers tb;
    tb.forward = {ptr("wx"),     ptr("r"),    ptr("b"),          ptr("s0"),
                  ptr("states"), ptr("last"), ptr("h_exchange"), ptr("sync")};
    tb.savedGates = ptr("saved_gates");
    tb.savedStates = ptr("saved_states");
    tb.dstates = ptr("dstates");
    tb.dlast = ptr("dlast");
    tb.dwx = ptr("dwx");
    tb.ds0 = ptr("ds0");
    tb.dgates = ptr("dgates");
    tb.backwardExchange = ptr("h_exchange");
    tb.backwardSync = ptr("sync");
    tb.dr = ptr("dr");
    tb.db = ptr("db");
    tb.reducePartial = ptr("partial");
    tb.reduceSync = ptr("sync");
    tb.progress = ptr("progress");
    size_t slot = 0;
    KernelParams params;
    int64_t syncCount = 0;
    if (kind == "forward") {
      ForwardShapes s = forwardShapes(m, *k, batch, seq, heads);
      params = forwardParams(tb.forward, s, slot);
      syncCount = s.sync[0];
    } else {
      TrainingKernels tk;
      std::string missing;
      findTrainingKernels(*all, tk, missing, batch, heads);
      TrainingShapes s = trainingShapes(m, *tk.forwardTrain, *tk.backward,
                                        batch, seq, heads);
      if (kind == "forward_train") {
        params = forwardTrainParams(tb, s, slot);
        syncCount = s.forward.sync[0];
      } else if (kind == "backward") {
        params = backwardParams(tb, s, slot);
        syncCount = s.backwardSync[0];
      } else {
        params = backwardReduceParams(tb, s);
        syncCount = s.reduceSync[0];
      }
    }
    uint64_t sync = ptr("sync");
    const DriverApi &api = drv->api();
    // The barrier counters start at zero for every launch, in stream order.
    std::function<void()> zeroSync;
    if (syncCount > 0)
      zeroSync = [&]() {
        drv->check(api.memsetD32Async(sync, 0, size_t(syncCount), stream),
                   "cuMemsetD32Async", " (zeroing the sync counters of " +
                                           k->entry + ")");
      };
    pk->launchAll(params, slot, zeroSync, stream);
  } catch (const CudaError &e) {
    error = e.what();
    return false;
  }
  return true;
}

} // namespace cuda
} // namespace flashrnn
