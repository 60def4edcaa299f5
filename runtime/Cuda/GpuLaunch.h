//===- GpuLaunch.h - What every GPU run of a package shares -----*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// The pieces the forward (GpuForward.cpp) and the training pass
// (GpuBackward.cpp) share: checking that a kernel fits device 0, loading a
// PTX file once for all the kernels in it, planning and issuing a kernel's
// launches (cooperative batch split, `sync` zeroed before every launch),
// uploading inputs in the package dtype, and reading outputs back with
// poison detection. Everything throws CudaError with the call or the
// condition at fault; the owners free on every path.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_CUDA_GPULAUNCH_H
#define FLASHRNN_RUNTIME_CUDA_GPULAUNCH_H

#include "runtime/Cuda/CudaDriver.h"
#include "runtime/Cuda/KernelSpec.h"
#include "runtime/Manifest.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace flashrnn {
namespace cuda {

//===----------------------------------------------------------------------===//
// Host-side conversions (pure, unit-tested).
//===----------------------------------------------------------------------===//

/// Bytes per element of a GPU dtype (bf16/f16: 2, f32: 4); 0 for f64.
size_t deviceElementSize(DType dtype);

/// float64 -> the device representation of `dtype` (one rounding, RNE).
std::vector<uint8_t> encodeForDevice(const double *values, size_t n,
                                     DType dtype);

/// The device representation -> float64 (exact). Counts the elements whose
/// bytes are all 0xFF (the poison pattern: never written) and the index of
/// the first.
void decodeFromDevice(const uint8_t *bytes, size_t n, DType dtype,
                      double *values, int64_t &poisoned,
                      int64_t &firstPoisoned);

/// What was launched for one kernel, for reports.
struct KernelLaunchReport {
  std::string kind;  // "forward", "backward", ...
  std::string entry; // kernel name
  int64_t block[3] = {1, 1, 1};
  // Kernels with a schedule: grid (ctasPerHead, heads, tiles of a launch).
  bool batchTiled = true;
  int64_t ctasPerHead = 1, heads = 1, batchTile = 1;
  // Kernels without one (backward_reduce): the one launch's grid.
  int64_t grid[3] = {1, 1, 1};
  int64_t dynamicSharedBytes = 0;
  bool cooperative = false;
  int64_t residentCtas = 0;          // cooperative only: blocks/SM x SMs
  int64_t clusterCtas = 0; // a non-portable cluster's CTAs (opted in), or 0
  // A batch variant's threshold (KernelSpec::minHeadTiles; 0: the kind's
  // first kernel) and the run's (head, batch tile) pairs.
  int64_t minHeadTiles = 0, headTiles = 0;
  std::vector<LaunchChunk> launches; // one pass
  // Waves of one pass on this device: a cooperative kernel's launches; for
  // another kernel, its CTAs (a cluster kernel: its clusters) over how many
  // are resident at once (the occupancy API). 0 where not counted (no
  // schedule, or the driver cannot say).
  int64_t waves = 0;
  // Where the kind has batch variants: why this entry runs and not another
  // (prepareKernel), e.g. "batch variant lstm_forward_c16 (...) not run:
  // ...". Empty otherwise.
  std::string variantNote;
};

/// The PTX modules of a run, loaded once per file: the training kernels of a
/// package share one file, and a JIT compile of it can take seconds.
class ModuleCache {
public:
  explicit ModuleCache(const Driver &driver) : driver(driver) {}
  /// The kernel's function (loading its file on first use).
  CuFunction function(const KernelSpec &k);
  /// ptxas' info logs of every file loaded (registers, spills).
  std::string infoLogs() const;

private:
  const Driver &driver;
  std::map<std::string, std::unique_ptr<Module>> modules;
};

/// One kernel ready to launch: checked against device 0, its function
/// loaded, its dynamic shared memory opted in, its launches planned for
/// `batch` rows and `heads` heads.
class PreparedKernel {
public:
  PreparedKernel(const Driver &driver, ModuleCache &modules,
                 const KernelSpec &k, int64_t batch, int64_t heads);

  /// Launches every chunk with `params` on `stream` (null: the legacy
  /// stream); before each launch `beforeLaunch` runs (zeroing `sync`), and
  /// the launch's first batch row goes into `batchBeginSlot` (for kernels
  /// with a schedule).
  void launchAll(KernelParams &params, size_t batchBeginSlot,
                 const std::function<void()> &beforeLaunch,
                 CuStream stream = nullptr) const;

  /// cuCtxSynchronize, its failure naming the kernel and its launches.
  void synchronize(const char *when) const;

  /// " (kernel NAME, grid [..], block [..], dynamic shared N bytes,
  /// batch_begin B, cooperative)".
  std::string describeLaunch(const LaunchChunk &c) const;

  const KernelSpec &spec() const { return k; }
  const KernelLaunchReport &report() const { return rep; }
  void setVariantNote(std::string note) { rep.variantNote = std::move(note); }

private:
  int64_t countWaves(int clusterWidth, int64_t threads) const;

  const Driver &driver;
  const KernelSpec &k;
  CuFunction fn = nullptr;
  KernelLaunchReport rep;
};

/// The kernel of `kind` that runs `batch` rows of `heads` heads on this
/// device, prepared. selectKernel picks by min_head_tiles, the planner's
/// estimate of where a batch variant pays; here that pick is checked on the
/// device: each earlier entry of the kind with the same batch tile (so that
/// the workspaces deviceArgs sized still fit) is prepared too, and the one
/// whose pass takes the fewest waves runs, a tie going to the earlier entry
/// (per wave the kernels take about the same time, the grid kernel a little
/// less: H200, LSTM 768 B = 16, 2.30 ms against the cluster's 2.41). This
/// is what keeps a 1024 head at B = 64 on the grid kernel: its 8 (head,
/// batch tile) pairs take 2 cooperative launches, and as clusters of 16
/// also 2 waves, since an H200 holds 7 such clusters, not 132 / 16 = 8.
/// Where a wave count is unknown (a driver without
/// cuOccupancyMaxActiveClusters) the pick stands. An earlier entry that
/// cannot run at this size (its preparation fails) is not weighed; the
/// pick's own failure is thrown. Null if the package has no `kind` kernel.
std::unique_ptr<PreparedKernel>
prepareKernel(const Driver &driver, ModuleCache &modules,
              const std::vector<KernelSpec> &specs, const std::string &kind,
              int64_t batch, int64_t heads);

/// Uploads `host` (n values, rounded to `dtype` once) into a new buffer;
/// null `host` is allowed only when n is 0 unless `zeroIfNull` (then the
/// buffer is zeroed: an absent gradient input means zero).
DeviceBuffer uploadTensor(const Driver &driver, const double *host, size_t n,
                          DType dtype, const char *what,
                          bool zeroIfNull = false);

/// Fills a buffer with `value` bytes; `what` goes into the error.
void fillBytes(const Driver &driver, const DeviceBuffer &buffer,
               unsigned char value, const std::string &what);

/// A device output read back into float64, with the poisoned elements
/// (still all 0xFF bytes: never written) counted.
struct OutputCheck {
  std::string name;
  std::vector<int64_t> shape;
  std::string writer; // the kernel that should have written it
  int64_t poisoned = 0, firstPoisoned = -1;
};
OutputCheck downloadOutput(const Driver &driver, const DeviceBuffer &buffer,
                           const std::vector<int64_t> &shape, DType dtype,
                           double *host, const std::string &name,
                           const std::string &writer);
/// "states: 96 of 1920, first at [0, 5, 0, 0, 0];" for each poisoned output
/// (with " (written by KERNEL)" when `withWriter`); "" if none.
std::string describePoisoned(const std::vector<OutputCheck> &outputs,
                             bool withWriter);

/// Bytes written between timed passes to evict the L2 cache (H100: 50 MB).
constexpr size_t kL2FlushBytes = size_t(128) << 20;

/// The median of `times` (which must not be empty).
double medianOf(std::vector<double> times);

/// Times a GPU pass with CUDA events: `warmup` untimed passes, then `repeat`
/// passes each between two events (`prepare` runs before each, outside the
/// events). Before every pass the L2 cache is flushed (kL2FlushBytes written
/// outside the events), so no input or output is cached when a timed pass
/// starts: the times are those of a cold cache, as a training step sees
/// them. `last` is synchronised after the warm-up and at the end; `what`
/// names the pass in errors. `afterPass`, when given, runs after each timed
/// pass has completed (to read events the pass recorded). Returns every
/// time in ms.
std::vector<double> timePasses(const Driver &drv, int warmup, int repeat,
                               const std::function<void()> &prepare,
                               const std::function<void()> &pass,
                               const PreparedKernel &last,
                               const std::string &what,
                               const std::function<void()> &afterPass = {});

} // namespace cuda
} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_CUDA_GPULAUNCH_H
