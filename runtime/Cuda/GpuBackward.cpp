//===- GpuBackward.cpp - Run a package's training kernels on the GPU ------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Cuda/GpuBackward.h"

#include "runtime/Cuda/CudaDriver.h"

#include <cstdint>
#include <memory>
#include <sstream>
#include <tuple>

namespace flashrnn {
namespace cuda {

bool findTrainingKernels(const std::vector<KernelSpec> &specs,
                         TrainingKernels &kernels, std::string &missing,
                         int64_t batch, int64_t heads) {
  auto pick = [&](const char *kind) {
    return batch > 0 ? selectKernel(specs, kind, batch, heads)
                     : findKernel(specs, kind);
  };
  kernels.forwardTrain = pick("forward_train");
  kernels.backward = pick("backward");
  kernels.reduce = pick("backward_reduce");
  missing = !kernels.forwardTrain ? "forward_train"
            : !kernels.backward   ? "backward"
            : !kernels.reduce     ? "backward_reduce"
                                  : "";
  return missing.empty();
}

namespace {

/// The training pass, with everything it owns; any failure throws CudaError
/// (or std::bad_alloc) and the destructors free what was allocated.
void runTraining(const Driver &drv, const Manifest &m,
                 const std::vector<KernelSpec> &specs, TrainingKernels tk,
                 const RunDims &d, const double *wx,
                 const double *r, const double *b, const double *s0,
                 const double *dstates, const double *dlast, double *states,
                 double *last, double *dwx, double *dr, double *db,
                 double *ds0, const GpuTiming &timing,
                 GpuBackwardReport &rep) {
  rep.device = cudaDeviceSummary();
  // Every kernel is checked against the device and planned before anything
  // is allocated: a backward that cannot be co-resident fails fast.
  ModuleCache modules(drv);
  // forward_train may have batch variants, weighed on this device; the
  // one chosen shares the pick's batch tile, so the shapes below hold.
  std::unique_ptr<PreparedKernel> fwdPrepared =
      prepareKernel(drv, modules, specs, "forward_train", d.batch, d.heads);
  const PreparedKernel &fwdK = *fwdPrepared;
  tk.forwardTrain = &fwdK.spec();
  PreparedKernel bwdK(drv, modules, *tk.backward, d.batch, d.heads);
  PreparedKernel redK(drv, modules, *tk.reduce, d.batch, d.heads);
  rep.forwardTrain = fwdK.report();
  rep.backward = bwdK.report();
  rep.reduce = redK.report();
  rep.jitLog = modules.infoLogs();

  TrainingShapes sh =
      trainingShapes(m, *tk.forwardTrain, *tk.backward, d.batch, d.seq,
                     d.heads);
  auto count = [](const std::vector<int64_t> &shape) {
    return size_t(numElements(shape));
  };
  // Inputs, converted once and kept on the device for every repetition.
  std::vector<double> initS0;
  if (!s0) {
    initS0 = initialStates(m, d);
    s0 = initS0.data();
  }
  DeviceBuffer dWx = uploadTensor(drv, wx, count(sh.forward.wx), m.dtype, "wx");
  DeviceBuffer dR = uploadTensor(drv, r, count(sh.forward.r), m.dtype, "r");
  DeviceBuffer dB = uploadTensor(drv, b, count(sh.forward.b), m.dtype, "b");
  DeviceBuffer dS0 = uploadTensor(drv, s0, count(sh.forward.s0), m.dtype, "s0");
  DeviceBuffer dDstates = uploadTensor(drv, dstates, count(sh.dstates),
                                       m.dtype, "dstates", true);
  DeviceBuffer dDlast =
      uploadTensor(drv, dlast, count(sh.dlast), m.dtype, "dlast", true);

  size_t es = deviceElementSize(m.dtype);
  DeviceBuffer dStates(drv, count(sh.forward.states) * es, "states");
  DeviceBuffer dLast(drv, count(sh.forward.last) * es, "last");
  DeviceBuffer dFwdExchange(drv, count(sh.forward.hExchange) * 4,
                            "h_exchange (forward_train)");
  fillBytes(drv, dFwdExchange, 0, "h_exchange (forward_train)");
  DeviceBuffer dFwdSync(drv, count(sh.forward.sync) * 4,
                        "sync (forward_train)");
  DeviceBuffer dSavedGates(drv, count(sh.savedGates) * 4, "saved_gates");
  DeviceBuffer dSavedStates(drv, count(sh.savedStates) * 4, "saved_states");
  DeviceBuffer dDwx(drv, count(sh.dwx) * es, "dwx");
  DeviceBuffer dDs0(drv, count(sh.ds0) * es, "ds0");
  DeviceBuffer dDgates(drv, count(sh.dgates) * 4, "dgates");
  DeviceBuffer dBwdExchange(drv, count(sh.backwardExchange) * 4,
                            "h_exchange (backward)");
  fillBytes(drv, dBwdExchange, 0, "h_exchange (backward)");
  DeviceBuffer dBwdSync(drv, count(sh.backwardSync) * 4, "sync (backward)");
  DeviceBuffer dDr(drv, count(sh.dr) * es, "dr");
  DeviceBuffer dDb(drv, count(sh.db) * es, "db");
  // backward_reduce's workspace starts at zero, and the kernel leaves it
  // zero (checked after the checked pass), so it is zeroed only here.
  DeviceBuffer dRedPartial(drv, count(sh.reducePartial) * 4,
                           "partial (backward_reduce)");
  fillBytes(drv, dRedPartial, 0, "partial (backward_reduce)");
  DeviceBuffer dRedSync(drv, count(sh.reduceSync) * 4,
                        "sync (backward_reduce)");
  fillBytes(drv, dRedSync, 0, "sync (backward_reduce)");
  DeviceBuffer dProgress(drv, count(sh.progress) * 4, "progress");

  TrainingBuffers tb;
  tb.forward = {dWx.get(),     dR.get(),    dB.get(),           dS0.get(),
                dStates.get(), dLast.get(), dFwdExchange.get(), dFwdSync.get()};
  tb.savedGates = dSavedGates.get();
  tb.savedStates = dSavedStates.get();
  tb.dstates = dDstates.get();
  tb.dlast = dDlast.get();
  tb.dwx = dDwx.get();
  tb.ds0 = dDs0.get();
  tb.dgates = dDgates.get();
  tb.backwardExchange = dBwdExchange.get();
  tb.backwardSync = dBwdSync.get();
  tb.dr = dDr.get();
  tb.db = dDb.get();
  tb.reducePartial = dRedPartial.get();
  tb.reduceSync = dRedSync.get();
  tb.progress = dProgress.get();
  size_t fwdSlot = 0, bwdSlot = 0;
  KernelParams fwdParams = forwardTrainParams(tb, sh, fwdSlot);
  KernelParams bwdParams = backwardParams(tb, sh, bwdSlot);
  KernelParams redParams = backwardReduceParams(tb, sh);

  // Before every pass: the six outputs poisoned, and the workspaces the
  // kernels hand on (saved values, dgates) too, so that an element one
  // kernel forgets shows up as NaN (0xFFFFFFFF is an f32 NaN) downstream
  // rather than as a stale value from the previous pass. Both kernels'
  // first counters are zeroed here, outside any timed region.
  auto prepare = [&]() {
    for (const DeviceBuffer *buf : {&dStates, &dLast, &dDwx, &dDs0, &dDr,
                                    &dDb, &dSavedGates, &dSavedStates,
                                    &dDgates})
      fillBytes(drv, *buf, 0xFF, "poisoning the training outputs");
    fillBytes(drv, dFwdSync, 0, "zeroing the sync counters of forward_train");
    fillBytes(drv, dBwdSync, 0, "zeroing the sync counters of backward");
    fillBytes(drv, dProgress, 0, "zeroing the backward's progress words");
  };

  // The reduction beside the backward. A tensor-core reduction waits, per
  // slice of steps, until every backward CTA has published those steps
  // (lowering/Common/BackwardProgress.h), so it can start with the backward
  // and use the SMs the backward leaves idle; only its last slices remain
  // when the backward ends. It goes on a second stream after forward_train,
  // and only once every backward CTA has started (cuStreamWaitValue32 on
  // progress[0]): waiting CTAs of the reduction can then never keep a
  // backward CTA from becoming resident. Where the backward needs several
  // launches, a later launch could find the SMs full of waiting CTAs, so
  // the two kernels run one after the other.
  int64_t backwardCtas = 0;
  for (const LaunchChunk &c : bwdK.report().launches) {
    int64_t grid[3];
    resolveGrid(*tk.backward, d.heads, c.tiles, grid);
    backwardCtas += grid[0] * grid[1] * grid[2];
  }
  rep.notOverlappedWhy =
      !timing.overlapReduce ? "turned off"
      : !tk.reduce->waitsForProgress
          ? "this reduction does not wait for the backward's progress"
      : !drv.api().hasStreamWaits()
          ? "the driver lacks cuStreamWaitValue32 or cuStreamWaitEvent"
      : bwdK.report().launches.size() != 1
          ? "the backward needs " +
                std::to_string(bwdK.report().launches.size()) + " launches"
          : "";
  rep.reduceOverlapped = rep.notOverlappedWhy.empty();
  std::unique_ptr<Stream> sideStream;
  std::unique_ptr<Event> forwardDone, reduceDone;
  if (rep.reduceOverlapped) {
    sideStream = std::make_unique<Stream>(drv);
    forwardDone = std::make_unique<Event>(drv);
    reduceDone = std::make_unique<Event>(drv);
  }
  const DriverApi &api = drv.api();
  // Counters are zeroed again before every later launch of a split batch.
  auto zeroBefore = [&](const DeviceBuffer &sync, const char *what) {
    auto first = std::make_shared<bool>(true);
    return [&drv, &sync, what, first]() {
      if (!*first)
        fillBytes(drv, sync, 0, what);
      *first = false;
    };
  };
  // `checked`: synchronize after each kernel so that a fault is reported
  // against the kernel that caused it.
  // Events between the kernels of a timed pass: the per-kernel split.
  Event mark0(drv), mark1(drv), mark2(drv), mark3(drv);
  bool marking = false;
  auto mark = [&](const Event &e) {
    if (marking)
      drv.check(drv.api().eventRecord(e.get(), nullptr), "cuEventRecord",
                " (per-kernel split)");
  };
  auto runPass = [&](bool checked) {
    mark(mark0);
    fwdK.launchAll(fwdParams, fwdSlot,
                   zeroBefore(dFwdSync,
                              "zeroing the sync counters of forward_train"));
    if (checked)
      fwdK.synchronize("after running");
    mark(mark1);
    // Each batch tile of the backward is independent: its launches only
    // need the whole forward_train before them (stream order).
    if (rep.reduceOverlapped) {
      CuStream side = sideStream->get();
      drv.check(api.eventRecord(forwardDone->get(), nullptr), "cuEventRecord",
                " (forward_train done)");
      drv.check(api.streamWaitEvent(side, forwardDone->get(), 0),
                "cuStreamWaitEvent", " (the reduction after forward_train)");
      bwdK.launchAll(bwdParams, bwdSlot, nullptr);
      drv.check(api.streamWaitValue32(side, dProgress.get(),
                                      uint32_t(backwardCtas),
                                      kStreamWaitValueGeq),
                "cuStreamWaitValue32",
                " (the reduction after every backward CTA has started)");
      redK.launchAll(redParams, 0, nullptr, side);
      drv.check(api.eventRecord(reduceDone->get(), side), "cuEventRecord",
                " (backward_reduce done)");
      mark(mark2);
      drv.check(api.streamWaitEvent(nullptr, reduceDone->get(), 0),
                "cuStreamWaitEvent", " (the pass's end after the reduction)");
      if (checked)
        redK.synchronize("after running backward and, beside it,");
      mark(mark3);
      return;
    }
    bwdK.launchAll(bwdParams, bwdSlot,
                   zeroBefore(dBwdSync,
                              "zeroing the sync counters of backward"));
    if (checked)
      bwdK.synchronize("after running");
    mark(mark2);
    // The reduction sums dgates over the whole batch: once, after every
    // backward launch.
    redK.launchAll(redParams, 0, nullptr);
    if (checked)
      redK.synchronize("after running");
    mark(mark3);
  };

  // The checked pass.
  prepare();
  runPass(true);
  const std::string &fe = tk.forwardTrain->entry, &be = tk.backward->entry,
                    &re = tk.reduce->entry;
  std::vector<OutputCheck> outs = {
      downloadOutput(drv, dStates, sh.forward.states, m.dtype, states,
                     "states", fe),
      downloadOutput(drv, dLast, sh.forward.last, m.dtype, last, "last", fe),
      downloadOutput(drv, dDwx, sh.dwx, m.dtype, dwx, "dwx", be),
      downloadOutput(drv, dDr, sh.dr, m.dtype, dr, "dr", re),
      downloadOutput(drv, dDb, sh.db, m.dtype, db, "db", re),
      downloadOutput(drv, dDs0, sh.ds0, m.dtype, ds0, "ds0", be)};
  std::string poisoned = describePoisoned(outs, true);
  if (!poisoned.empty()) {
    std::ostringstream os;
    os << "the training kernels left output elements unwritten (still the "
       << "0xFF poison pattern):" << poisoned << " launches:";
    const PreparedKernel *kernels[] = {&fwdK, &bwdK, &redK};
    for (const PreparedKernel *k : kernels)
      for (const LaunchChunk &c : k->report().launches)
        os << k->describeLaunch(c);
    throw CudaError(os.str());
  }
  // The reduction's workspace must be zero again for the next launch.
  for (const auto &[buf, shape, what] :
       {std::make_tuple(&dRedPartial, sh.reducePartial, "partial"),
        std::make_tuple(&dRedSync, sh.reduceSync, "sync")}) {
    std::vector<uint32_t> words(count(shape));
    drv.check(drv.api().memcpyDtoH(words.data(), buf->get(), words.size() * 4),
              "cuMemcpyDtoH_v2", std::string(" (") + what + ")");
    size_t nonZero = 0, first = 0;
    for (size_t i = words.size(); i-- > 0;)
      if (words[i]) {
        ++nonZero;
        first = i;
      }
    if (nonZero)
      throw CudaError(re + " left its workspace `" + what + "` non-zero (" +
                      std::to_string(nonZero) + " of " +
                      std::to_string(words.size()) + " words, first at " +
                      std::to_string(first) +
                      "): the next launch would add to stale sums");
  }

  if (timing.repeat <= 0)
    return;
  std::vector<double> split[3];
  auto readSplit = [&] {
    const Event *marks[4] = {&mark0, &mark1, &mark2, &mark3};
    for (int k = 0; k < 3; ++k) {
      float ms = 0;
      drv.check(drv.api().eventElapsedTime(&ms, marks[k]->get(),
                                           marks[k + 1]->get()),
                "cuEventElapsedTime", " (per-kernel split)");
      split[k].push_back(ms);
    }
  };
  // Warm-up passes record no marks; timed ones do.
  int warmupLeft = timing.warmup;
  rep.timesMs = timePasses(
      drv, timing.warmup, timing.repeat, prepare,
      [&] {
        marking = warmupLeft-- <= 0;
        runPass(false);
      },
      redK, "training pass (" + fe + ", " + be + ", " + re + ")", readSplit);
  rep.medianMs = medianOf(rep.timesMs);
  rep.forwardTrainMs = medianOf(split[0]);
  rep.backwardMs = medianOf(split[1]);
  rep.reduceMs = medianOf(split[2]);
}

} // namespace

bool gpuBackward(const Manifest &m, const std::string &packageDir,
                 const RunDims &d, const double *wx, const double *r,
                 const double *b, const double *s0, const double *dstates,
                 const double *dlast, double *states, double *last, double *dwx,
                 double *dr, double *db, double *ds0, const GpuTiming &timing,
                 GpuBackwardReport &report, std::string &error) {
  report = GpuBackwardReport();
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
  TrainingKernels tk;
  std::string missing;
  if (!findTrainingKernels(specs, tk, missing, d.batch, d.heads)) {
    error = packageDir +
            ": the package has no GPU backward kernels (its manifest lists "
            "no `kernels` entry of kind \"" +
            missing +
            "\"; was it compiled with --cpu-only or by an older compiler?)";
    return false;
  }
  std::string why;
  Driver *drv = Driver::get(why);
  if (!drv) {
    error = why;
    return false;
  }
  try {
    runTraining(*drv, m, specs, tk, d, wx, r, b, s0, dstates, dlast, states, last,
                dwx, dr, db, ds0, timing, report);
  } catch (const CudaError &e) {
    error = e.what();
    return false;
  } catch (const std::bad_alloc &) {
    error = "out of host memory preparing the GPU training pass";
    return false;
  }
  return true;
}

} // namespace cuda
} // namespace flashrnn
