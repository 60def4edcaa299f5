//===- CudaBackendTests.cpp - Unit tests of the CUDA backend (no GPU) -----===//
//
// Part of FlashRNN-MLIR, the runtime's tests.
//
//===----------------------------------------------------------------------===//
//
// What the GPU launcher computes on the host, tested without a GPU: the memref
// descriptors of the kernel parameters, the split of the batch into
// co-resident launches, the dtype conversions and poison detection, the
// validation of `kernels` entries, and the C ABI's answers when there is no
// driver. Linked into flashrnn-runtime-tests.
//
//===----------------------------------------------------------------------===//

#include "flashrnn/runtime.h"

#include "runtime/Cuda/GpuBackward.h"
#include "runtime/Cuda/GpuForward.h"
#include "runtime/Cuda/KernelSpec.h"
#include "runtime/Half.h"
#include "runtime/Manifest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace flashrnn;
using namespace flashrnn::cuda;

namespace {

const std::string kInputs = FLASHRNN_RUNTIME_INPUTS;

::testing::AssertionResult has(const std::string &text,
                               const std::string &needle) {
  if (text.find(needle) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "'" << needle << "' not in '" << text << "'";
}

Manifest loadOrDie(const std::string &dir) {
  Manifest m;
  std::string error;
  EXPECT_TRUE(loadManifest(dir, m, error)) << error;
  return m;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

TEST(CudaParams, MemrefDescriptorIsMlirLayout) {
  // allocated, aligned, offset, sizes, row-major strides (in elements).
  std::vector<uint64_t> d = memrefDescriptor(0x7000, {2, 3, 4, 5, 6});
  std::vector<uint64_t> want = {0x7000, 0x7000, 0, 2,  3,  4, 5,
                                6,      360,    120, 30, 6, 1};
  EXPECT_EQ(d, want);
  EXPECT_EQ(memrefDescriptor(0x10, {7}),
            (std::vector<uint64_t>{0x10, 0x10, 0, 7, 1}));
  // A dimension of size 1 still gets the product of the later sizes.
  EXPECT_EQ(memrefDescriptor(0x20, {4, 1, 16, 16}),
            (std::vector<uint64_t>{0x20, 0x20, 0, 4, 1, 16, 16, 256, 256, 16,
                                   1}));
}

TEST(CudaParams, ForwardParamsFollowTheContract) {
  Manifest m = loadOrDie(kInputs + "/lstm-kernel");
  std::vector<KernelSpec> specs;
  std::string error;
  ASSERT_TRUE(loadKernelSpecs(kInputs + "/lstm-kernel", m, specs, error))
      << error;
  const KernelSpec *k = findKernel(specs, "forward");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->batchTile, 8);
  // B = 20 rows in tiles of 8: 3 tiles; NH = 3.
  ForwardShapes sh = forwardShapes(m, *k, 20, 5, 3);
  EXPECT_EQ(sh.wx, (std::vector<int64_t>{20, 5, 4, 3, 16}));
  EXPECT_EQ(sh.r, (std::vector<int64_t>{4, 3, 16, 16}));
  EXPECT_EQ(sh.b, (std::vector<int64_t>{4, 3, 16}));
  EXPECT_EQ(sh.s0, (std::vector<int64_t>{2, 20, 3, 16}));
  EXPECT_EQ(sh.states, (std::vector<int64_t>{2, 20, 5, 3, 16}));
  EXPECT_EQ(sh.last, (std::vector<int64_t>{2, 20, 3, 16}));
  EXPECT_EQ(sh.hExchange, (std::vector<int64_t>{2, 20, 3, 16}));
  EXPECT_EQ(sh.sync, (std::vector<int64_t>{9}));

  ForwardBuffers buf{0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0x800};
  size_t batchBeginSlot = 0;
  KernelParams p = forwardParams(buf, sh, batchBeginSlot);
  // 8 memrefs of ranks 5,4,3,4,5,4,4,1 (3 + 2r each) and one i32: the 85
  // .param entries of flashrnn-compile's PTX.
  ASSERT_EQ(p.size(), 13u + 11 + 9 + 11 + 13 + 11 + 11 + 5 + 1);
  EXPECT_EQ(batchBeginSlot, p.size() - 1);
  size_t at = 0;
  for (auto [ptr, shape] :
       std::vector<std::pair<uint64_t, std::vector<int64_t>>>{
           {0x100, sh.wx},
           {0x200, sh.r},
           {0x300, sh.b},
           {0x400, sh.s0},
           {0x500, sh.states},
           {0x600, sh.last},
           {0x700, sh.hExchange},
           {0x800, sh.sync}}) {
    std::vector<uint64_t> want = memrefDescriptor(ptr, shape);
    for (size_t i = 0; i < want.size(); ++i, ++at) {
      EXPECT_EQ(p.slot(at), want[i]) << "parameter " << at;
      EXPECT_FALSE(p.isI32(at));
    }
  }
  EXPECT_TRUE(p.isI32(batchBeginSlot));
  EXPECT_EQ(p.i32Value(batchBeginSlot), 0);
  p.setI32(batchBeginSlot, 16);
  EXPECT_EQ(p.i32Value(batchBeginSlot), 16);
  // The pointers handed to cuLaunchKernel address the slots: the driver reads
  // 8 bytes for a 64-bit parameter and 4 for the i32.
  void **ptrs = p.pointers();
  uint64_t v;
  std::memcpy(&v, ptrs[3], 8);
  EXPECT_EQ(v, 20u); // wx's first size
  int32_t bb;
  std::memcpy(&bb, ptrs[batchBeginSlot], 4);
  EXPECT_EQ(bb, 16);
}

//===----------------------------------------------------------------------===//
// Launch planning
//===----------------------------------------------------------------------===//

TEST(CudaLaunches, NonCooperativeIsOneLaunch) {
  std::vector<LaunchChunk> c;
  std::string error;
  ASSERT_TRUE(planLaunches(64, 8, 1, 12, false, 0, 65535, c, error)) << error;
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].batchBegin, 0);
  EXPECT_EQ(c[0].tiles, 8);
  // A ragged batch: ceil(5 / 8) = 1 tile.
  ASSERT_TRUE(planLaunches(5, 8, 1, 3, false, 0, 65535, c, error));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].tiles, 1);
  // The grid's z limit splits too.
  ASSERT_TRUE(planLaunches(100, 1, 1, 1, false, 0, 40, c, error));
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[2].batchBegin, 80);
  EXPECT_EQ(c[2].tiles, 20);
}

TEST(CudaLaunches, CooperativeSplitsIntoResidentChunks) {
  std::vector<LaunchChunk> c;
  std::string error;
  // Everything fits: one launch.
  ASSERT_TRUE(planLaunches(64, 8, 4, 3, true, 132, 65535, c, error));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].tiles, 8);
  // 12 CTAs per tile, 30 resident: 2 tiles per launch, 4 launches, each
  // batch_begin a multiple of the tile.
  ASSERT_TRUE(planLaunches(64, 8, 4, 3, true, 30, 65535, c, error));
  ASSERT_EQ(c.size(), 4u);
  for (size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c[i].batchBegin, int64_t(16 * i));
    EXPECT_EQ(c[i].tiles, 2);
  }
  // Ragged: 3 tiles, 2 per launch -> 2 + 1.
  ASSERT_TRUE(planLaunches(20, 8, 4, 3, true, 30, 65535, c, error));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1].batchBegin, 16);
  EXPECT_EQ(c[1].tiles, 1);
  // Exactly one tile fits.
  ASSERT_TRUE(planLaunches(20, 8, 4, 3, true, 12, 65535, c, error));
  EXPECT_EQ(c.size(), 3u);
}

TEST(CudaLaunches, CooperativeThatCannotFitFails) {
  std::vector<LaunchChunk> c;
  std::string error;
  EXPECT_FALSE(planLaunches(16, 8, 8, 24, true, 132, 65535, c, error));
  EXPECT_TRUE(has(error, "needs 192 CTAs resident at once for one batch tile "
                         "(ctas_per_head 8 x heads 24), but the device "
                         "holds at most 132"))
      << error;
  EXPECT_TRUE(c.empty());
}

//===----------------------------------------------------------------------===//
// Conversions and poison
//===----------------------------------------------------------------------===//

TEST(CudaConversions, RoundTripAndPoison) {
  std::vector<double> in = {1.0, -2.5, 0.1, 3.0e-3, 65504.0, 1e-8};
  for (DType t : {DType::BF16, DType::F16, DType::F32}) {
    std::vector<uint8_t> bytes = encodeForDevice(in.data(), in.size(), t);
    ASSERT_EQ(bytes.size(), in.size() * deviceElementSize(t));
    std::vector<double> out(in.size());
    int64_t poisoned = -1, first = -2;
    decodeFromDevice(bytes.data(), in.size(), t, out.data(), poisoned, first);
    EXPECT_EQ(poisoned, 0);
    EXPECT_EQ(first, -1);
    for (size_t i = 0; i < in.size(); ++i)
      EXPECT_EQ(out[i], roundToDType(in[i], t)) << dtypeName(t) << " " << i;
    // Poison elements 2 and 4: every byte 0xFF.
    size_t es = deviceElementSize(t);
    std::memset(&bytes[2 * es], 0xFF, es);
    std::memset(&bytes[4 * es], 0xFF, es);
    decodeFromDevice(bytes.data(), in.size(), t, out.data(), poisoned, first);
    EXPECT_EQ(poisoned, 2);
    EXPECT_EQ(first, 2);
    EXPECT_TRUE(std::isnan(out[2])); // the pattern reads as NaN
  }
  // One rounding from double: a value just above a bf16 tie rounds up, which
  // double -> float -> bf16 would get wrong.
  double x = 1.0 + 1.0 / 256 + 1.0 / (1 << 30); // tie + tiny, not a float
  std::vector<uint8_t> b = encodeForDevice(&x, 1, DType::BF16);
  uint16_t h;
  std::memcpy(&h, b.data(), 2);
  EXPECT_EQ(bf16ToFloat(h), 1.0f + 1.0f / 128);
  EXPECT_EQ(deviceElementSize(DType::F64), 0u);
}

//===----------------------------------------------------------------------===//
// Kernel entries
//===----------------------------------------------------------------------===//

TEST(CudaKernelSpec, ReadsAWellFormedEntry) {
  Manifest m = loadOrDie(kInputs + "/lstm-kernel");
  std::vector<KernelSpec> specs;
  std::string error;
  ASSERT_TRUE(loadKernelSpecs(kInputs + "/lstm-kernel", m, specs, error))
      << error;
  ASSERT_EQ(specs.size(), 1u);
  const KernelSpec &k = specs[0];
  EXPECT_EQ(k.kind, "forward");
  EXPECT_EQ(k.entry, "lstm_forward");
  EXPECT_EQ(k.chipMajor, 9);
  EXPECT_EQ(k.chipMinor, 0);
  EXPECT_EQ(k.ctasPerHead, 1);
  EXPECT_EQ(k.block[0], 128);
  EXPECT_EQ(k.dynamicSharedBytes, 4096);
  EXPECT_FALSE(k.cooperative);
  EXPECT_TRUE(has(k.ptxPath, "lstm-kernel/forward.ptx"));
  // CPU-only packages have none.
  Manifest cpu = loadOrDie(kInputs + "/lstm");
  ASSERT_TRUE(loadKernelSpecs(kInputs + "/lstm", cpu, specs, error));
  EXPECT_TRUE(specs.empty());
  EXPECT_EQ(findKernel(specs, "forward"), nullptr);
}

TEST(CudaKernelSpec, ReadsTheTrainingKernels) {
  std::string dir = kInputs + "/lstm-kernel-train";
  Manifest m = loadOrDie(dir);
  std::vector<KernelSpec> specs;
  std::string error, missing;
  ASSERT_TRUE(loadKernelSpecs(dir, m, specs, error)) << error;
  TrainingKernels tk;
  ASSERT_TRUE(findTrainingKernels(specs, tk, missing)) << missing;
  // The backward has its own schedule and no chip (it shares the PTX).
  EXPECT_EQ(tk.backward->batchTile, 4);
  EXPECT_EQ(tk.backward->ctasPerHead, 2);
  EXPECT_TRUE(tk.backward->cooperative);
  EXPECT_TRUE(tk.backward->chip.empty());
  EXPECT_EQ(tk.forwardTrain->batchTile, 8);
  // The reduction: no schedule, grid [16, heads, 1].
  EXPECT_FALSE(tk.reduce->hasSchedule);
  int64_t grid[3];
  resolveGrid(*tk.reduce, 5, 99, grid);
  EXPECT_EQ(grid[0], 16);
  EXPECT_EQ(grid[1], 5);
  EXPECT_EQ(grid[2], 1);
  resolveGrid(*tk.backward, 5, 3, grid);
  EXPECT_EQ(grid[0], 2);
  EXPECT_EQ(grid[1], 5);
  EXPECT_EQ(grid[2], 3);
  // A forward-only package lacks the first training kind.
  Manifest fm = loadOrDie(kInputs + "/lstm-kernel");
  ASSERT_TRUE(loadKernelSpecs(kInputs + "/lstm-kernel", fm, specs, error));
  EXPECT_FALSE(findTrainingKernels(specs, tk, missing));
  EXPECT_EQ(missing, "forward_train");
}

TEST(CudaParams, TrainingParamsFollowTheContract) {
  std::string dir = kInputs + "/lstm-kernel-train";
  Manifest m = loadOrDie(dir);
  std::vector<KernelSpec> specs;
  std::string error, missing;
  ASSERT_TRUE(loadKernelSpecs(dir, m, specs, error)) << error;
  TrainingKernels tk;
  ASSERT_TRUE(findTrainingKernels(specs, tk, missing));
  EXPECT_EQ(numGateValues(m), 4); // LSTM: 4 gates, none split
  int64_t B = 10, T = 3, NH = 2, DH = 16;
  TrainingShapes sh = trainingShapes(m, *tk.forwardTrain, *tk.backward, B, T,
                                     NH);
  EXPECT_EQ(sh.savedGates, (std::vector<int64_t>{B, T, 4, NH, DH}));
  EXPECT_EQ(sh.savedStates, (std::vector<int64_t>{2, B, T, NH, DH}));
  EXPECT_EQ(sh.dgates, sh.savedGates);
  EXPECT_EQ(sh.backwardExchange, (std::vector<int64_t>{2, B, NH, 4, DH}));
  // Each kernel's counters follow its own batch tile: 8 forward, 4 backward.
  EXPECT_EQ(sh.forward.sync, (std::vector<int64_t>{NH * 2}));
  EXPECT_EQ(sh.backwardSync, (std::vector<int64_t>{NH * 3}));
  EXPECT_EQ(sh.dr, (std::vector<int64_t>{4, NH, DH, DH}));
  EXPECT_EQ(sh.db, (std::vector<int64_t>{4, NH, DH}));
  // The progress words: started CTAs, then one per backward CTA (3 tiles x
  // 2 CTAs per head x NH).
  EXPECT_EQ(sh.progress, (std::vector<int64_t>{1 + NH * 3 * 2}));

  TrainingBuffers buf;
  buf.forward.r = 0x1000;
  buf.forward.s0 = 0x2000;
  buf.savedGates = 0x3000;
  buf.backwardExchange = 0x4000;
  buf.backwardSync = 0x5000;
  buf.dr = 0x6000;
  buf.db = 0x7000;
  buf.progress = 0x8000;
  size_t slot = 0;
  KernelParams ft = forwardTrainParams(buf, sh, slot);
  EXPECT_EQ(ft.size(), 111u); // the forward's 85, then 2 rank-5 memrefs
  EXPECT_EQ(slot, 84u);
  EXPECT_EQ(ft.slot(85), 0x3000u); // saved_gates, allocated pointer
  KernelParams bw = backwardParams(buf, sh, slot);
  EXPECT_EQ(bw.size(), 133u);
  EXPECT_EQ(slot, 132u);
  EXPECT_TRUE(bw.isI32(132));
  EXPECT_EQ(bw.slot(0), 0x1000u);  // r first
  EXPECT_EQ(bw.slot(11), 0x2000u); // then s0
  // h_exchange: memref 10 of rank 5, after 4 of rank 4 and 5 of rank 5.
  size_t hx = 4 * 11 + 5 * 13;
  EXPECT_EQ(bw.slot(hx), 0x4000u);
  EXPECT_EQ(bw.slot(hx + 3), 2u);          // sizes [2, B, NH, Gr, DH]
  EXPECT_EQ(bw.slot(hx + 6), 4u);          // Gr
  EXPECT_EQ(bw.slot(hx + 8), uint64_t(4 * NH * DH * B)); // stride of dim 0
  EXPECT_EQ(bw.slot(hx + 13), 0x5000u);    // sync
  EXPECT_EQ(bw.slot(hx + 18), 0x8000u);    // progress, before batch_begin
  EXPECT_EQ(bw.slot(hx + 21), uint64_t(1 + NH * 3 * 2));
  KernelParams rd = backwardReduceParams(buf, sh);
  // s0, saved_states, dgates, dr, db, then the workspace: partial (rank 4,
  // 11 slots), sync and progress (rank 1, 5 slots each); no batch_begin.
  EXPECT_EQ(rd.size(), 78u);
  EXPECT_EQ(rd.slot(73), 0x8000u); // progress
  EXPECT_EQ(rd.slot(0), 0x2000u);
  EXPECT_EQ(rd.slot(57 - 9 - 11), 0x6000u); // dr
  EXPECT_EQ(rd.slot(57 - 9), 0x7000u);      // db
  EXPECT_EQ(rd.slot(57 + 3), uint64_t(NH)); // partial [NH, NA, DH, DH + 1]
  EXPECT_EQ(rd.slot(57 + 6), uint64_t(DH + 1));
  EXPECT_EQ(rd.slot(57 + 11 + 3), uint64_t(NH * 4 * DH)); // sync: NH NA DH
}

TEST(CudaKernelSpec, RejectsMalformedEntries) {
  struct Case {
    const char *dir, *field, *why;
  } cases[] = {
      {"missing-ptx", "field 'kernels[0].ptx'", "forward.ptx: no such file"},
      {"args-count", "field 'kernels[0].args'",
       "a forward kernel takes 9 arguments"},
      {"args-rank", "field 'kernels[0].args[1].rank'", "expected 4 for 'r'"},
      {"args-dtype", "field 'kernels[0].args[4].dtype'",
       "expected \"bf16\" for 'states'"},
      {"args-name", "field 'kernels[0].args[2].name'", "expected \"b\""},
      {"grid", "field 'kernels[0].grid'", "expected [\"ctas_per_head\""},
      {"no-batch-tile", "field 'kernels[0].schedule.batch_tile'", "missing"},
      {"chip", "field 'kernels[0].chip'", "expected a target like"},
      {"block", "field 'kernels[0].block'", "expected 3 sizes"},
  };
  for (const Case &c : cases) {
    std::string dir = kInputs + "/bad-kernels/" + c.dir;
    Manifest m = loadOrDie(dir); // the CPU side does not mind
    std::vector<KernelSpec> specs;
    std::string error;
    EXPECT_FALSE(loadKernelSpecs(dir, m, specs, error)) << c.dir;
    EXPECT_TRUE(has(error, c.field)) << c.dir;
    EXPECT_TRUE(has(error, c.why)) << c.dir;
  }
}

//===----------------------------------------------------------------------===//
// The C ABI without a driver
//===----------------------------------------------------------------------===//

TEST(CudaCApi, AnswersWithoutADriver) {
  // Pin the driver to a missing library, so that this holds on GPU machines
  // too. The driver is loaded once per process: no other test may touch it
  // first (none does).
  ::setenv("FLASHRNN_LIBCUDA", "/nonexistent/libcuda.so.1", 1);
  EXPECT_EQ(flashrnn_cuda_available(), 0);
  EXPECT_TRUE(has(flashrnn_last_error(), "no CUDA driver: cannot load "
                                         "/nonexistent/libcuda.so.1"));
  char name[64] = "x";
  EXPECT_EQ(flashrnn_cuda_device_name(name, sizeof(name)),
            FLASHRNN_ERROR_UNAVAILABLE);
  EXPECT_STREQ(name, "");
  EXPECT_EQ(flashrnn_cuda_device_name(nullptr, 0),
            FLASHRNN_ERROR_INVALID_ARGUMENT);

  FlashRnnPackage *cpuOnly = flashrnn_package_load((kInputs + "/lstm").c_str());
  ASSERT_NE(cpuOnly, nullptr);
  EXPECT_EQ(flashrnn_package_has_gpu_forward(cpuOnly), 0);
  FlashRnnPackage *pkg =
      flashrnn_package_load((kInputs + "/lstm-kernel").c_str());
  ASSERT_NE(pkg, nullptr);
  EXPECT_EQ(flashrnn_package_has_gpu_forward(pkg), 1);
  FlashRnnPackage *bad =
      flashrnn_package_load((kInputs + "/bad-kernels/args-rank").c_str());
  ASSERT_NE(bad, nullptr) << flashrnn_last_error();
  EXPECT_EQ(flashrnn_package_has_gpu_forward(bad), -1);
  EXPECT_TRUE(has(flashrnn_last_error(), "kernels[0].args[1].rank"));
  EXPECT_EQ(flashrnn_package_has_gpu_forward(nullptr), -1);

  // The training kernels: none in a forward-only package.
  EXPECT_EQ(flashrnn_package_has_gpu_backward(pkg), 0);
  EXPECT_TRUE(has(flashrnn_last_error(),
                  "no `kernels` entry of kind \"forward_train\""));
  FlashRnnPackage *train =
      flashrnn_package_load((kInputs + "/lstm-kernel-train").c_str());
  ASSERT_NE(train, nullptr) << flashrnn_last_error();
  EXPECT_EQ(flashrnn_package_has_gpu_backward(train), 1);
  EXPECT_EQ(flashrnn_package_has_gpu_backward(bad), -1);
  {
    std::vector<double> wx(2 * 3 * 4 * 16, 0.5), r(4 * 16 * 16, 0.01),
        b(4 * 16, 0.1), states(2 * 2 * 3 * 16), last(2 * 2 * 16),
        dwx(wx.size()), dr(r.size()), db(b.size()), ds0(2 * 2 * 16);
    double median = -7;
    EXPECT_EQ(flashrnn_gpu_backward(train, 2, 3, 1, wx.data(), r.data(),
                                    b.data(), nullptr, nullptr, nullptr,
                                    states.data(), last.data(), dwx.data(),
                                    dr.data(), db.data(), ds0.data(), 3,
                                    &median),
              FLASHRNN_ERROR_UNAVAILABLE);
    EXPECT_TRUE(has(flashrnn_last_error(), "flashrnn_gpu_backward: no CUDA "
                                           "driver"));
    EXPECT_EQ(median, -7);
    EXPECT_EQ(flashrnn_gpu_backward(pkg, 2, 3, 1, wx.data(), r.data(),
                                    b.data(), nullptr, nullptr, nullptr,
                                    states.data(), last.data(), dwx.data(),
                                    dr.data(), db.data(), ds0.data(), 0,
                                    nullptr),
              FLASHRNN_ERROR_UNAVAILABLE);
    EXPECT_TRUE(has(flashrnn_last_error(), "has no GPU backward kernels"));
    EXPECT_EQ(flashrnn_gpu_backward(train, 2, 3, 1, wx.data(), r.data(),
                                    b.data(), nullptr, nullptr, nullptr,
                                    states.data(), last.data(), nullptr,
                                    dr.data(), db.data(), ds0.data(), 0,
                                    nullptr),
              FLASHRNN_ERROR_INVALID_ARGUMENT);
    EXPECT_TRUE(has(flashrnn_last_error(), "must not be NULL"));
  }
  flashrnn_package_free(train);

  // B=2, T=3, NH=1, DH=16, 4 gates, 2 states.
  std::vector<double> wx(2 * 3 * 4 * 16, 0.5), r(4 * 16 * 16, 0.01),
      b(4 * 16, 0.1), states(2 * 2 * 3 * 16), last(2 * 2 * 16);
  double median = -7;
  EXPECT_EQ(flashrnn_gpu_forward(pkg, 2, 3, 1, wx.data(), r.data(), b.data(),
                                 nullptr, states.data(), last.data(), 3,
                                 &median),
            FLASHRNN_ERROR_UNAVAILABLE);
  EXPECT_TRUE(has(flashrnn_last_error(), "flashrnn_gpu_forward: no CUDA "
                                         "driver"));
  EXPECT_EQ(median, -7);
  // Validation before the driver: the package comes first.
  EXPECT_EQ(flashrnn_gpu_forward(bad, 2, 3, 1, wx.data(), r.data(), b.data(),
                                 nullptr, states.data(), last.data(), 0,
                                 nullptr),
            FLASHRNN_ERROR_PACKAGE);
  EXPECT_TRUE(has(flashrnn_last_error(), "kernels[0].args[1].rank"));
  EXPECT_EQ(flashrnn_gpu_forward(cpuOnly, 2, 3, 1, wx.data(), r.data(),
                                 b.data(), nullptr, states.data(), last.data(),
                                 0, nullptr),
            FLASHRNN_ERROR_UNAVAILABLE);
  EXPECT_TRUE(has(flashrnn_last_error(), "has no forward GPU kernel"));
  EXPECT_EQ(flashrnn_gpu_forward(pkg, 2, 3, 1, nullptr, r.data(), b.data(),
                                 nullptr, states.data(), last.data(), 0,
                                 nullptr),
            FLASHRNN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(flashrnn_gpu_forward(pkg, 2, 3, 1, wx.data(), r.data(), b.data(),
                                 nullptr, states.data(), last.data(), -1,
                                 nullptr),
            FLASHRNN_ERROR_INVALID_ARGUMENT);
  flashrnn_package_free(bad);
  flashrnn_package_free(pkg);
  flashrnn_package_free(cpuOnly);
}

} // namespace
