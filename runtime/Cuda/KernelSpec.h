//===- KernelSpec.h - A package's kernels and their launches ----*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// The `kernels` entries of a manifest (docs/PACKAGE.md, "Kernels"), validated
// against the launch contract, and the pure functions that turn a kernel and
// run-time sizes into launches: the memref descriptors of the parameters and
// the split of the batch into co-resident launches. Nothing here talks to a
// GPU, so all of it is unit-tested on machines without one.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_CUDA_KERNELSPEC_H
#define FLASHRNN_RUNTIME_CUDA_KERNELSPEC_H

#include "runtime/Manifest.h"

#include <cstdint>
#include <string>
#include <vector>

namespace flashrnn {
namespace cuda {

/// One dimension of a kernel's `grid`: a fixed size, or a size the runtime
/// supplies ("ctas_per_head", "heads", "batch_tiles").
struct GridDim {
  std::string name; // empty: `value` is the size
  int64_t value = 1;
};

/// One `kernels` entry.
struct KernelSpec {
  int index = 0;       // position in `kernels` (for messages)
  std::string kind;    // "forward", "forward_train", "backward", ...
  std::string entry;   // the PTX .entry name
  std::string ptx;     // file name, relative to the package directory
  std::string ptxPath; // package directory + "/" + ptx
  std::string chip;    // "sm_90"; may be empty except for `forward`
  int chipMajor = 0, chipMinor = 0; // 9, 0 from "sm_90" ("sm_90a" too)
  // The schedule fields the launcher needs (kinds without a schedule, such
  // as backward_reduce, keep the defaults).
  bool hasSchedule = false;
  int64_t ctasPerHead = 1; // grid x
  int64_t batchTile = 1;   // batch rows per CTA (grid z counts tiles)
  bool gridBarrier = false;
  GridDim grid[3] = {{"ctas_per_head", 1}, {"heads", 1}, {"batch_tiles", 1}};
  int64_t block[3] = {1, 1, 1};
  int64_t dynamicSharedBytes = 0;
  bool cooperative = false;
  // A batch variant (a later entry of its kind): run from this many
  // (head, batch tile) pairs, NH x ceil(B / batch_tile), on; 0 for the
  // first entry of a kind, which runs below every threshold.
  int64_t minHeadTiles = 0;
  // backward_reduce only: it waits, slice by slice, for the backward's
  // progress words, so it may run beside the backward (GpuBackward.cpp).
  bool waitsForProgress = false;
};

/// The kinds the runtime launches, each with its argument contract
/// (docs/PACKAGE.md, "Kernels"); other kinds are read only as far as `kind`,
/// `entry` and `ptx`, so that a compiler that adds kinds does not break an
/// older runtime.
bool isLaunchedKind(const std::string &kind);

/// Reads and validates every `kernels` entry of PACKAGE_DIR/manifest.json
/// (`m` is the already loaded manifest, for the dtype). Messages name the
/// field as the manifest loader does: "DIR/manifest.json: field
/// 'kernels[0].args[3].rank' (line 40, column 17): expected 4, got 3".
/// Checks, for every entry: `kind`, `entry` and `ptx` (a file in the
/// package). For the launched kinds (forward, forward_train, backward,
/// backward_reduce) also: the launch fields exist with the right JSON types,
/// `chip` is sm_XY (required for forward, checked where present otherwise),
/// kinds with a schedule have `grid` [ctas_per_head, heads, batch_tiles],
/// backward_reduce has a grid of positive integers and "heads", `block` has
/// 3 positive sizes, and `args` is exactly the kind's contract (names,
/// kinds, ranks, dtypes).
bool loadKernelSpecs(const std::string &packageDir, const Manifest &m,
                     std::vector<KernelSpec> &specs, std::string &error);

/// The first kernel of `kind`, or null.
const KernelSpec *findKernel(const std::vector<KernelSpec> &specs,
                             const std::string &kind);

/// (head, batch tile) pairs of a run of `k`: NH x ceil(B / batch_tile).
int64_t headTiles(const KernelSpec &k, int64_t batch, int64_t heads);

/// The kernel of `kind` that runs B = `batch` rows of `heads` heads: of the
/// kind's entries (its batch variants, by increasing min_head_tiles), the
/// last whose min_head_tiles the run's (head, batch tile) pairs reach; the
/// first entry when FLASHRNN_BATCH_VARIANTS=off (for comparisons). Null if
/// the package has no kernel of `kind`. Every path that launches a kind or
/// sizes its workspaces picks with this, so they agree.
const KernelSpec *selectKernel(const std::vector<KernelSpec> &specs,
                               const std::string &kind, int64_t batch,
                               int64_t heads);
/// Whether FLASHRNN_BATCH_VARIANTS=off is set.
bool batchVariantsDisabled();

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

/// MLIR's memref descriptor flattened into kernel parameters (3 + 2r of
/// them, each 64-bit): allocated pointer, aligned pointer, offset (0), the r
/// sizes, the r row-major strides in elements.
std::vector<uint64_t> memrefDescriptor(uint64_t devicePointer,
                                       const std::vector<int64_t> &shape);

/// The kernel parameters of one launch, in the layout cuLaunchKernel takes:
/// one value slot per parameter, and `pointers()` to hand over. 64-bit
/// values fill their slot; an i32 occupies the first 4 bytes of its slot.
class KernelParams {
public:
  void addMemref(uint64_t devicePointer, const std::vector<int64_t> &shape);
  /// Returns the slot index (to update it between launches).
  size_t addI32(int32_t value);
  void setI32(size_t slot, int32_t value);

  size_t size() const { return slots.size(); }
  uint64_t slot(size_t i) const { return slots[i]; }
  bool isI32(size_t i) const { return i32[i]; }
  int32_t i32Value(size_t i) const;
  /// The void*[] of cuLaunchKernel; valid until the next add.
  void **pointers();

private:
  std::vector<uint64_t> slots;
  std::vector<bool> i32;
  std::vector<void *> ptrs;
};

/// Device pointers of the forward kernel's buffers.
struct ForwardBuffers {
  uint64_t wx = 0, r = 0, b = 0, s0 = 0, states = 0, last = 0, hExchange = 0,
           sync = 0;
};

/// Shapes of the forward kernel's arguments for sizes B, T, NH (the public
/// layouts of ARCHITECTURE.md, B the whole batch, plus the workspaces).
struct ForwardShapes {
  std::vector<int64_t> wx, r, b, s0, states, last, hExchange, sync;
};
ForwardShapes forwardShapes(const Manifest &m, const KernelSpec &k,
                            int64_t batch, int64_t seq, int64_t heads);

/// The forward kernel's parameters in contract order; `batchBeginSlot` gets
/// the slot of `batch_begin` (initially 0).
KernelParams forwardParams(const ForwardBuffers &buffers,
                           const ForwardShapes &shapes, size_t &batchBeginSlot);

/// NA: the number of gate values the cell's program reads (its `gate`
/// arguments; a split gate counts twice, once per part). The training
/// kernels save that many values per (b, t, n, j).
int64_t numGateValues(const Manifest &m);

/// Shapes of the training kernels' arguments (forward_train, backward,
/// backward_reduce) for sizes B, T, NH. `fwd` is the forward_train kernel,
/// `bwd` the backward kernel: their batch tiles size the two `sync` arrays.
struct TrainingShapes {
  ForwardShapes forward;            // forward_train's first 8 memrefs
  std::vector<int64_t> savedGates;  // f32 [B, T, NA, NH, DH]
  std::vector<int64_t> savedStates; // f32 [S, B, T, NH, DH]
  std::vector<int64_t> dstates, dlast, dwx, ds0, dr, db; // public layouts
  std::vector<int64_t> dgates;              // f32 [B, T, NA, NH, DH]
  std::vector<int64_t> backwardExchange;    // f32 [2, B, NH, Gr, DH]
  std::vector<int64_t> backwardSync;        // i32 [NH * ceil(B / bwd tile)]
  // backward_reduce's workspace, zero before each launch (the kernel leaves
  // it zero): f32 [NH, NA, DH, DH + 1] partial sums, i32 [NH * NA * DH]
  // counters.
  std::vector<int64_t> reducePartial, reduceSync;
  // i32 [1 + NH * ceil(B / bwd tile) * bwd ctas_per_head]: started CTAs,
  // then the steps each backward CTA has stored (both kernels take it).
  std::vector<int64_t> progress;
};
TrainingShapes trainingShapes(const Manifest &m, const KernelSpec &fwd,
                              const KernelSpec &bwd, int64_t batch,
                              int64_t seq, int64_t heads);

/// Device pointers of the training kernels' buffers.
struct TrainingBuffers {
  ForwardBuffers forward; // forward_train's first 8 memrefs
  uint64_t savedGates = 0, savedStates = 0, dstates = 0, dlast = 0, dwx = 0,
           ds0 = 0, dgates = 0, backwardExchange = 0, backwardSync = 0,
           dr = 0, db = 0, reducePartial = 0, reduceSync = 0, progress = 0;
};

/// forward_train: the forward's parameters, then saved_gates and
/// saved_states (111 parameters). `batchBeginSlot` as forwardParams.
KernelParams forwardTrainParams(const TrainingBuffers &buffers,
                                const TrainingShapes &shapes,
                                size_t &batchBeginSlot);
/// backward: r, s0, saved_gates, saved_states, dstates, dlast, dwx, ds0,
/// dgates, h_exchange, sync, progress, batch_begin (133 parameters).
KernelParams backwardParams(const TrainingBuffers &buffers,
                            const TrainingShapes &shapes,
                            size_t &batchBeginSlot);
/// backward_reduce: s0, saved_states, dgates, dr, db, partial, sync,
/// progress (78 parameters).
KernelParams backwardReduceParams(const TrainingBuffers &buffers,
                                  const TrainingShapes &shapes);

/// The grid of one launch: named dimensions take `ctasPerHead`, `heads`
/// and `tiles` (the launch's batch tiles); fixed ones their value.
void resolveGrid(const KernelSpec &k, int64_t heads, int64_t tiles,
                 int64_t grid[3]);

//===----------------------------------------------------------------------===//
// Launches
//===----------------------------------------------------------------------===//

/// One launch: grid (ctasPerHead, heads, tiles), its first batch row.
struct LaunchChunk {
  int64_t batchBegin = 0; // a multiple of batch_tile
  int64_t tiles = 0;      // grid z
};

/// Splits the batch into launches. `residentCtas` is how many CTAs of this
/// kernel the device holds at once (blocks per SM x SMs, from the occupancy
/// API); it only matters when `cooperative`, where every CTA of a launch must
/// be resident: each launch then gets the largest number of tiles k with
/// ctasPerHead * heads * k <= residentCtas. `maxGridZ` bounds the tiles of
/// any launch. Fails (message with the numbers) when even one tile does not
/// fit.
bool planLaunches(int64_t batch, int64_t batchTile, int64_t ctasPerHead,
                  int64_t heads, bool cooperative, int64_t residentCtas,
                  int64_t maxGridZ, std::vector<LaunchChunk> &chunks,
                  std::string &error);

} // namespace cuda
} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_CUDA_KERNELSPEC_H
