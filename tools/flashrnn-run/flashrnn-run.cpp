//===- flashrnn-run.cpp - Run a FlashRNN kernel package -------------------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// Runs a package forward (and optionally backward) on inputs read from .npy
// files or generated from a seed, and writes the outputs as .npy. Backends:
// the float64 CPU reference, and the package's kernels on a CUDA GPU
// (`--device cuda`: the forward kernel, or with `--backward` the training
// kernels; `--check` compares with the reference, `--repeat` times it). `--device auto` (the default) takes the GPU when there is one
// and the package has a kernel for it, and says which it took and why.
//
// Exit codes: 0 success, 1 bad usage or bad input, a GPU failure or a failed
// --check (never a crash), 2 the outputs contain non-finite values.
//
//===----------------------------------------------------------------------===//

#include "flashrnn/runtime.h"

#include "runtime/Cuda/GpuBackward.h"
#include "runtime/Cuda/GpuForward.h"
#include "runtime/Cuda/KernelSpec.h"
#include "runtime/Half.h"
#include "runtime/Manifest.h"
#include "runtime/Npy.h"
#include "runtime/Random.h"
#include "runtime/Reference.h"

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <new>
#include <string>
#include <utility>
#include <vector>

using namespace flashrnn;

namespace {

const char *kUsage =
    "usage: flashrnn-run PACKAGE (--inputs DIR | --random SEED) [options]\n"
    "\n"
    "Runs a FlashRNN kernel package forward (and backward) and writes the\n"
    "outputs as float64 .npy files.\n"
    "\n"
    "  PACKAGE            package directory (holds manifest.json)\n"
    "  --inputs DIR       read wx.npy, r.npy, b.npy, optional s0.npy (and for\n"
    "                     --backward dstates.npy and optional dlast.npy)\n"
    "  --random SEED      generate the inputs from SEED instead (rounded to the\n"
    "                     package dtype); --outputs then also gets them\n"
    "  --batch B          batch size for --random (default 2)\n"
    "  --seq T            sequence length for --random (default 8)\n"
    "  --heads NH         number of heads for --random (default 1)\n"
    "  --no-s0            with --random: no s0 (states start at their init)\n"
    "  --outputs DIR      write states.npy, last.npy (and dwx.npy, dr.npy,\n"
    "                     db.npy, ds0.npy for --backward); created if missing\n"
    "  --backward         also run the backward pass (gradients of\n"
    "                     <dstates, states> + <dlast, last>)\n"
    "  --device auto|cpu|cuda\n"
    "                     backend: cpu is the float64 CPU reference, cuda the\n"
    "                     package's kernels on GPU 0 (forward, or with\n"
    "                     --backward forward_train, backward and\n"
    "                     backward_reduce); auto (default) takes cuda when a\n"
    "                     driver and GPU are present and the package has the\n"
    "                     kernels, else cpu\n"
    "  --check            with cuda: also run the CPU reference on the same\n"
    "                     (dtype-rounded) inputs and compare every output\n"
    "                     (states, last; with --backward also dwx, dr, db,\n"
    "                     ds0); fails when a relative Frobenius error exceeds\n"
    "                     1e-2 (bf16, f16) or 1e-3 (f32), or on NaN/unwritten\n"
    "  --repeat N         with cuda: time N passes (default 1; forward, or\n"
    "                     forward + backward) after one warm-up; prints the\n"
    "                     median and us per step\n"
    "  --threads N        CPU threads (default: all cores)\n"
    "  --help             this text\n"
    "\n"
    "Environment: FLASHRNN_LIBCUDA overrides the driver library path\n"
    "(default libcuda.so.1); CUDA_VISIBLE_DEVICES picks the GPU.\n"
    "\n"
    "Exit status: 0 success, 1 bad usage or input, GPU failure or failed\n"
    "--check, 2 non-finite outputs.\n";

/// Every failure goes through here: one line on stderr, exit 1.
[[noreturn]] void fatal(const std::string &message) {
  std::fflush(stdout); // keep the report and the error in order
  std::fprintf(stderr, "flashrnn-run: error: %s\n", message.c_str());
  std::exit(1);
}

struct Options {
  std::string package, inputs, outputs, device = "auto";
  bool backward = false, random = false, noS0 = false, check = false;
  int repeat = 1;
  uint64_t seed = 0;
  int64_t batch = -1, seq = -1, heads = -1;
  int threads = 0;
};

int64_t parseInt(const std::string &flag, const char *text, int64_t minValue,
                 int64_t maxValue) {
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (errno || !*text || *end || v < minValue || v > maxValue)
    fatal(flag + " expects an integer in [" + std::to_string(minValue) +
          ", " + std::to_string(maxValue) + "], got '" + text + "'");
  return v;
}

Options parseArgs(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc)
        fatal(a + " needs a value (see --help)");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (a == "--inputs") {
      o.inputs = value();
    } else if (a == "--outputs") {
      o.outputs = value();
    } else if (a == "--backward") {
      o.backward = true;
    } else if (a == "--device") {
      o.device = value();
      if (o.device != "cpu" && o.device != "cuda" && o.device != "auto")
        fatal("--device expects 'auto', 'cpu' or 'cuda', got '" + o.device +
              "'");
    } else if (a == "--check") {
      o.check = true;
    } else if (a == "--repeat") {
      o.repeat = int(parseInt(a, value(), 1, 100000));
    } else if (a == "--random") {
      o.random = true;
      o.seed = uint64_t(parseInt(a, value(), 0, INT64_MAX));
    } else if (a == "--batch") {
      o.batch = parseInt(a, value(), 1, 1 << 24);
    } else if (a == "--seq") {
      o.seq = parseInt(a, value(), 1, 1 << 24);
    } else if (a == "--heads") {
      o.heads = parseInt(a, value(), 1, 1 << 16);
    } else if (a == "--threads") {
      o.threads = int(parseInt(a, value(), 1, 4096));
    } else if (a == "--no-s0") {
      o.noS0 = true;
    } else if (!a.empty() && a[0] == '-') {
      fatal("unknown option '" + a + "' (see --help)");
    } else if (o.package.empty()) {
      o.package = a;
    } else {
      fatal("more than one package given ('" + o.package + "' and '" + a +
            "')");
    }
  }
  if (o.package.empty())
    fatal("no package given (see --help)");
  if (o.random == !o.inputs.empty())
    fatal("give exactly one of --inputs DIR and --random SEED");
  if (!o.random && o.noS0)
    fatal("--no-s0 only applies to --random (with --inputs, omit s0.npy)");
  if (o.device == "cpu" && o.check)
    fatal("--check compares the GPU with the CPU reference: it needs "
          "--device cuda (or auto on a machine with a GPU)");
  if (o.random) {
    if (o.batch < 0)
      o.batch = 2;
    if (o.seq < 0)
      o.seq = 8;
    if (o.heads < 0)
      o.heads = 1;
  }
  return o;
}

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

/// A tensor in float64 as the reference uses it, with its public shape.
struct Tensor {
  explicit Tensor(std::string name, std::vector<int64_t> shape = {})
      : name(std::move(name)), shape(std::move(shape)) {}
  std::string name; // file stem: "wx"
  std::vector<int64_t> shape;
  std::vector<double> data;
  bool present = false;
};

std::string describeType(NpyType t) {
  switch (t) {
  case NpyType::F16:
    return "float16";
  case NpyType::F32:
    return "float32";
  case NpyType::F64:
    return "float64";
  case NpyType::U16:
    return "uint16 (bf16 bits)";
  }
  return "?";
}

/// Reads DIR/NAME.npy, checks its type against the package dtype and its
/// shape against `expected` (-1 = any size >= 1; `dimNames` names those
/// dimensions in the message), and rounds values to the package dtype.
bool readInput(const std::string &dir, Tensor &t, std::vector<int64_t> expected,
               const std::vector<std::string> &dimNames, DType dtype,
               bool required) {
  std::string path = dir + "/" + t.name + ".npy";
  std::string expectText = "[";
  for (size_t i = 0; i < expected.size(); ++i)
    expectText += (i ? ", " : "") + (expected[i] < 0 ? dimNames[i]
                                                     : std::to_string(expected[i]));
  expectText += "]";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!required)
      return false;
    fatal(path + ": missing (expected a .npy array of shape " + expectText +
          ")");
  }
  NpyArray array;
  std::string error;
  if (!readNpy(path, array, error))
    fatal(error + " (expected shape " + expectText + ")");
  if (array.type == NpyType::U16 && dtype != DType::BF16)
    fatal(path + ": uint16 data is read as bf16 bits, but the package dtype "
                 "is " +
          dtypeName(dtype) +
          "; save float16, float32 or float64 (expected shape " + expectText +
          ")");
  bool ok = array.shape.size() == expected.size();
  for (size_t i = 0; ok && i < expected.size(); ++i)
    ok = expected[i] < 0 ? array.shape[i] >= 1 : array.shape[i] == expected[i];
  if (!ok)
    fatal(path + ": expected shape " + expectText + ", got " +
          shapeToString(array.shape));
  t.shape = array.shape;
  npyToDouble(array, t.data);
  // The GPU consumes the package dtype: round so the reference sees exactly
  // the same values, and say so when that changed anything.
  int64_t changed = 0;
  for (double &v : t.data) {
    double rounded = roundToDType(v, dtype);
    if (rounded != v && !std::isnan(v))
      ++changed;
    v = rounded;
  }
  if (changed)
    std::printf("note: %s: %lld of %lld %s values rounded to %s\n",
                path.c_str(), (long long)changed, (long long)t.data.size(),
                describeType(array.type).c_str(), dtypeName(dtype));
  t.present = true;
  return true;
}

/// Fills `t` with `draw(rng)` values rounded to the dtype; never an exact zero
/// (a zero would hide a missing gradient path).
template <typename Gen>
void generate(Tensor &t, const std::vector<int64_t> &shape, DType dtype,
              uint64_t seed, uint64_t stream, Gen draw) {
  t.shape = shape;
  t.data.resize(size_t(numElements(shape)));
  int64_t n = int64_t(t.data.size());
  // In parallel, chunk by chunk, each chunk from its own generator: the
  // values depend on the seed only (inputs of ~100M values took 4-6 s).
  parallelFor((n + kRandomChunk - 1) / kRandomChunk, [&](int64_t c) {
    Random rng = chunkRandom(seed, stream, uint64_t(c));
    int64_t end = std::min(n, (c + 1) * kRandomChunk);
    for (int64_t i = c * kRandomChunk; i < end; ++i) {
      double v;
      do
        v = roundToDType(draw(rng), dtype);
      while (v == 0.0);
      t.data[size_t(i)] = v;
    }
  });
  t.present = true;
}

/// Writes `t` in the package's dtype (bf16 as uint16 bits) so that
/// `--inputs` reads back exactly the same values.
void writeInput(const std::string &dir, const Tensor &t, DType dtype) {
  NpyArray a;
  a.shape = t.shape;
  size_t n = t.data.size();
  switch (dtype) {
  case DType::BF16:
  case DType::F16: {
    a.type = dtype == DType::BF16 ? NpyType::U16 : NpyType::F16;
    a.data.resize(2 * n);
    for (size_t i = 0; i < n; ++i) {
      float f = float(t.data[i]); // exact: the value is already rounded
      uint16_t h = dtype == DType::BF16 ? floatToBf16(f) : floatToF16(f);
      std::memcpy(&a.data[2 * i], &h, 2);
    }
    break;
  }
  case DType::F32:
    a.type = NpyType::F32;
    a.data.resize(4 * n);
    for (size_t i = 0; i < n; ++i) {
      float f = float(t.data[i]);
      std::memcpy(&a.data[4 * i], &f, 4);
    }
    break;
  case DType::F64:
    a.type = NpyType::F64;
    a.data.resize(8 * n);
    std::memcpy(a.data.data(), t.data.data(), 8 * n);
    break;
  }
  std::string error;
  if (!writeNpy(dir + "/" + t.name + ".npy", a, error))
    fatal(error);
}

std::string indexToString(const std::vector<int64_t> &shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    idx[i] = flat % shape[i];
    flat /= shape[i];
  }
  return shapeToString(idx);
}

/// Prints checksums; returns the number of non-finite values.
int64_t report(const Tensor &t) {
  double sum = 0, absSum = 0;
  int64_t bad = 0, firstBad = -1;
  for (size_t i = 0; i < t.data.size(); ++i) {
    double v = t.data[i];
    if (!std::isfinite(v)) {
      if (bad++ == 0)
        firstBad = int64_t(i);
      continue;
    }
    sum += v;
    absSum += std::fabs(v);
  }
  std::printf("  %-8s %-22s sum=% .12e  abs_sum=%.12e\n", t.name.c_str(),
              shapeToString(t.shape).c_str(), sum, absSum);
  if (bad)
    std::printf("  %-8s NON-FINITE: %lld values, first at %s = %g\n",
                t.name.c_str(), (long long)bad,
                indexToString(t.shape, firstBad).c_str(), t.data[firstBad]);
  return bad;
}

/// One line (two for a cooperative kernel) about a kernel's launches.
void printKernel(const cuda::KernelLaunchReport &k) {
  if (!k.batchTiled) {
    std::printf("gpu: kernel %s, grid [%lld, %lld, %lld] in %zu launch(es), "
                "block [%lld, %lld, %lld], dynamic shared %lld bytes\n",
                k.entry.c_str(), (long long)k.grid[0], (long long)k.grid[1],
                (long long)k.grid[2], k.launches.size(), (long long)k.block[0],
                (long long)k.block[1], (long long)k.block[2],
                (long long)k.dynamicSharedBytes);
    return;
  }
  std::printf("gpu: kernel %s, grid [%lld, %lld, tiles] with batch_tile "
              "%lld in %zu launch(es) (tiles:",
              k.entry.c_str(), (long long)k.ctasPerHead, (long long)k.heads,
              (long long)k.batchTile, k.launches.size());
  for (const cuda::LaunchChunk &c : k.launches)
    std::printf(" %lld", (long long)c.tiles);
  std::printf("), block [%lld, %lld, %lld], dynamic shared %lld bytes%s\n",
              (long long)k.block[0], (long long)k.block[1],
              (long long)k.block[2], (long long)k.dynamicSharedBytes,
              k.cooperative ? ", cooperative" : "");
  if (k.cooperative)
    std::printf("gpu: co-residency: %lld CTAs fit at once\n",
                (long long)k.residentCtas);
  if (k.clusterCtas)
    std::printf("gpu: thread-block clusters of %lld CTAs (non-portable, "
                "opted in)\n",
                (long long)k.clusterCtas);
  if (k.minHeadTiles)
    std::printf("gpu: batch variant of %s for %lld or more (head, batch "
                "tile) pairs; this run has %lld (FLASHRNN_BATCH_VARIANTS=off "
                "runs the first)\n",
                k.kind.c_str(), (long long)k.minHeadTiles,
                (long long)k.headTiles);
  if (!k.variantNote.empty())
    std::printf("gpu: %s\n", k.variantNote.c_str());
}

/// Picks the backend for --device and prints which, and why. The package's
/// kernel entries are validated first (that answer is the same on every
/// machine), then the driver is looked for. Returns true for the GPU.
bool chooseDevice(const Options &o, const FlashRnnPackage *pkg) {
  if (o.device == "cpu") {
    std::printf("device: cpu\n");
    return false;
  }
  // With --backward the whole pass runs on one device: the training
  // kernels (the GPU forward kernel alone does not save what they need).
  int hasKernel = o.backward ? flashrnn_package_has_gpu_backward(pkg)
                             : flashrnn_package_has_gpu_forward(pkg);
  if (hasKernel < 0)
    fatal(flashrnn_last_error());
  std::string why;
  if (o.device == "cuda") {
    if (!hasKernel)
      fatal(o.backward
                ? "--device cuda --backward: " +
                      std::string(flashrnn_last_error()) +
                      " (was it compiled with --cpu-only or by an older "
                      "compiler?)"
                : o.package + ": --device cuda: the package has no forward "
                              "GPU kernel (was it compiled with --cpu-only?)");
    if (!flashrnn_cuda_available())
      fatal(std::string("--device cuda: ") + flashrnn_last_error());
    std::printf("device: cuda (%s)\n", cuda::cudaDeviceSummary().c_str());
    return true;
  }
  // auto
  if (!hasKernel)
    why = o.backward && flashrnn_package_has_gpu_forward(pkg) == 1
              ? "the package has no GPU backward kernels"
              : "the package has no GPU kernel";
  else if (!flashrnn_cuda_available())
    why = flashrnn_last_error();
  if (!why.empty()) {
    std::printf("device: cpu (auto: %s)\n", why.c_str());
    return false;
  }
  std::printf("device: cuda (auto: %s)\n", cuda::cudaDeviceSummary().c_str());
  return true;
}

/// Compares a GPU output with the reference and prints one line: max abs
/// error, that over max |ref|, and the relative Frobenius error
/// ||gpu - ref|| / ||ref||. Elements where the reference itself is not
/// finite are skipped (and counted); a non-finite GPU value elsewhere fails.
bool compare(const Tensor &gpu, const Tensor &ref, double tolerance) {
  double maxAbs = 0, maxRef = 0, diff2 = 0, ref2 = 0;
  int64_t gpuBad = 0, refBad = 0, firstBad = -1;
  for (size_t i = 0; i < ref.data.size(); ++i) {
    double g = gpu.data[i], x = ref.data[i];
    if (!std::isfinite(x)) {
      ++refBad;
      continue;
    }
    if (!std::isfinite(g)) {
      if (gpuBad++ == 0)
        firstBad = int64_t(i);
      continue;
    }
    double e = std::fabs(g - x);
    maxAbs = std::max(maxAbs, e);
    maxRef = std::max(maxRef, std::fabs(x));
    diff2 += e * e;
    ref2 += x * x;
  }
  double relMax = maxRef > 0 ? maxAbs / maxRef : maxAbs;
  double relFrob = ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
  bool pass = gpuBad == 0 && relFrob <= tolerance;
  std::printf("  %-8s max_abs_err=%.3e  max_rel_err=%.3e  rel_frobenius=%.3e"
              "  %s\n",
              gpu.name.c_str(), maxAbs, relMax, relFrob,
              pass ? "PASS" : "FAIL");
  if (gpuBad)
    std::printf("  %-8s %lld non-finite GPU values where the reference is "
                "finite, first at %s\n",
                gpu.name.c_str(), (long long)gpuBad,
                indexToString(gpu.shape, firstBad).c_str());
  if (refBad)
    std::printf("  %-8s note: %lld reference values are not finite (not "
                "compared)\n",
                gpu.name.c_str(), (long long)refBad);
  return pass;
}

int run(int argc, char **argv) {
  Options o = parseArgs(argc, argv);

  auto t0 = Clock::now();
  FlashRnnPackage *pkg = flashrnn_package_load(o.package.c_str());
  if (!pkg)
    fatal(flashrnn_last_error());
  // The C++ view of the manifest is needed for row details; it was just
  // validated by the C ABI, so this cannot fail differently.
  Manifest m;
  std::string error;
  if (!loadManifest(o.package, m, error))
    fatal(error);
  double loadMs = msSince(t0);
  if (o.threads)
    flashrnn_set_reference_threads(o.threads);

  int wxG, rG, bG, S;
  flashrnn_package_counts(pkg, &wxG, &rG, &bG, &S);
  int64_t DH = flashrnn_package_head_dim(pkg);
  std::printf("package: %s (cell %s, dtype %s, head_dim %lld, gates %d, "
              "Gw=%d Gr=%d Gb=%d, states %d)\n",
              o.package.c_str(), flashrnn_package_cell(pkg),
              flashrnn_package_dtype(pkg), (long long)DH,
              flashrnn_package_num_gates(pkg), wxG, rG, bG, S);

  bool useGpu = chooseDevice(o, pkg);
  if (o.check && !useGpu)
    std::printf("note: --check compares the GPU with the CPU reference; "
                "nothing to compare on the cpu device\n");

  Tensor wx{"wx"}, r{"r"}, b{"b"}, s0{"s0"}, dstates{"dstates"},
      dlast{"dlast"};
  RunDims d;
  auto t1 = Clock::now();
  if (!o.outputs.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.outputs, ec);
    if (ec)
      fatal(o.outputs + ": cannot create the output directory: " +
            ec.message());
  }
  if (o.random) {
    d = {o.batch, o.seq, o.heads};
    if (!checkDims(m, d, error))
      fatal(error);
    TensorShapes sh = TensorShapes::get(m, d);
    double rScale = 1.0 / std::sqrt(double(DH));
    uint64_t seed = o.seed;
    auto normal = [](Random &g) { return g.normal(); };
    generate(wx, sh.wx, m.dtype, seed, 0, normal);
    generate(r, sh.r, m.dtype, seed, 1,
             [&](Random &g) { return g.uniform(-rScale, rScale); });
    generate(b, sh.b, m.dtype, seed, 2,
             [](Random &g) { return 0.1 * g.normal(); });
    // Positive, so that normaliser states (sLSTM's n) start valid.
    if (!o.noS0)
      generate(s0, sh.s0, m.dtype, seed, 3,
               [](Random &g) { return g.uniform(0.05, 0.5); });
    if (o.backward) {
      generate(dstates, sh.states, m.dtype, seed, 4, normal);
      generate(dlast, sh.last, m.dtype, seed, 5, normal);
    }
    if (!o.outputs.empty())
      for (Tensor *t : {&wx, &r, &b, &s0, &dstates, &dlast})
        if (t->present)
          writeInput(o.outputs, *t, m.dtype);
    std::printf("inputs: random, seed %llu%s\n", (unsigned long long)o.seed,
                o.outputs.empty() ? "" : " (written to --outputs)");
  } else {
    std::string gw = std::to_string(wxG), dh = std::to_string(DH);
    readInput(o.inputs, wx, {-1, -1, wxG, -1, DH}, {"B", "T", gw, "NH", dh},
              m.dtype, true);
    d = {wx.shape[0], wx.shape[1], wx.shape[3]};
    if ((o.batch > 0 && o.batch != d.batch) || (o.seq > 0 && o.seq != d.seq) ||
        (o.heads > 0 && o.heads != d.heads))
      fatal(o.inputs + "/wx.npy: shape " + shapeToString(wx.shape) +
            " disagrees with --batch/--seq/--heads");
    if (!checkDims(m, d, error))
      fatal(error);
    TensorShapes sh = TensorShapes::get(m, d);
    readInput(o.inputs, r, sh.r, {}, m.dtype, true);
    readInput(o.inputs, b, sh.b, {}, m.dtype, true);
    readInput(o.inputs, s0, sh.s0, {}, m.dtype, false);
    if (o.backward) {
      readInput(o.inputs, dstates, sh.states, {}, m.dtype, true);
      readInput(o.inputs, dlast, sh.last, {}, m.dtype, false);
    }
    std::printf("inputs: %s%s\n", o.inputs.c_str(),
                s0.present ? "" : " (no s0.npy: states start at their init)");
  }
  double inputMs = msSince(t1);
  std::printf("shapes: B=%lld T=%lld NH=%lld DH=%lld; wx %s r %s b %s s0 %s\n",
              (long long)d.batch, (long long)d.seq, (long long)d.heads,
              (long long)DH, shapeToString(wx.shape).c_str(),
              shapeToString(r.shape).c_str(), shapeToString(b.shape).c_str(),
              s0.present ? shapeToString(s0.shape).c_str() : "(init)");

  TensorShapes sh = TensorShapes::get(m, d);
  Tensor states{"states", sh.states}, last{"last", sh.last};
  states.data.resize(size_t(numElements(sh.states)));
  last.data.resize(size_t(numElements(sh.last)));
  Tensor dwx{"dwx", sh.wx}, dr{"dr", sh.r}, db{"db", sh.b}, ds0{"ds0", sh.s0};
  if (o.backward)
    for (Tensor *t : {&dwx, &dr, &db, &ds0})
      t->data.resize(size_t(numElements(t->shape)));
  auto t2 = Clock::now();
  cuda::GpuForwardReport gpu;
  cuda::GpuBackwardReport gpuTrain;
  bool gpuBackward = useGpu && o.backward;
  if (gpuBackward) {
    cuda::GpuTiming timing;
    timing.repeat = o.repeat;
    timing.warmup = 1;
    if (!cuda::gpuBackward(
            m, o.package, d, wx.data.data(), r.data.data(), b.data.data(),
            s0.present ? s0.data.data() : nullptr, dstates.data.data(),
            dlast.present ? dlast.data.data() : nullptr, states.data.data(),
            last.data.data(), dwx.data.data(), dr.data.data(), db.data.data(),
            ds0.data.data(), timing, gpuTrain, error))
      fatal(error);
    gpu.medianMs = gpuTrain.medianMs;
    gpu.timesMs = gpuTrain.timesMs;
  } else if (useGpu) {
    cuda::GpuTiming timing;
    timing.repeat = o.repeat;
    timing.warmup = 1;
    if (!cuda::gpuForward(m, o.package, d, wx.data.data(), r.data.data(),
                          b.data.data(), s0.present ? s0.data.data() : nullptr,
                          states.data.data(), last.data.data(), timing, gpu,
                          error))
      fatal(error);
  } else if (flashrnn_reference_forward(
                 pkg, d.batch, d.seq, d.heads, wx.data.data(), r.data.data(),
                 b.data.data(), s0.present ? s0.data.data() : nullptr,
                 states.data.data(), last.data.data())) {
    fatal(flashrnn_last_error());
  }
  double fwdMs = msSince(t2);

  // --check: the reference on the very same (already dtype-rounded) inputs.
  Tensor refStates{"states", sh.states}, refLast{"last", sh.last};
  double checkMs = 0;
  if (useGpu && o.check) {
    refStates.data.resize(states.data.size());
    refLast.data.resize(last.data.size());
    auto tc = Clock::now();
    if (flashrnn_reference_forward(
            pkg, d.batch, d.seq, d.heads, wx.data.data(), r.data.data(),
            b.data.data(), s0.present ? s0.data.data() : nullptr,
            refStates.data.data(), refLast.data.data()))
      fatal(flashrnn_last_error());
    checkMs = msSince(tc);
  }

  // The CPU backward: the result on the cpu device, the reference of
  // --check on the GPU (from the reference's own states).
  Tensor refDwx{"dwx", sh.wx}, refDr{"dr", sh.r}, refDb{"db", sh.b},
      refDs0{"ds0", sh.s0};
  double bwdMs = 0;
  if (gpuBackward && o.check) {
    for (Tensor *t : {&refDwx, &refDr, &refDb, &refDs0})
      t->data.resize(size_t(numElements(t->shape)));
    auto t3 = Clock::now();
    if (flashrnn_reference_backward(
            pkg, d.batch, d.seq, d.heads, wx.data.data(), r.data.data(),
            b.data.data(), s0.present ? s0.data.data() : nullptr,
            refStates.data.data(), dstates.data.data(),
            dlast.present ? dlast.data.data() : nullptr, refDwx.data.data(),
            refDr.data.data(), refDb.data.data(), refDs0.data.data()))
      fatal(flashrnn_last_error());
    checkMs += msSince(t3);
  } else if (o.backward && !useGpu) {
    auto t3 = Clock::now();
    if (flashrnn_reference_backward(
            pkg, d.batch, d.seq, d.heads, wx.data.data(), r.data.data(),
            b.data.data(), s0.present ? s0.data.data() : nullptr,
            states.data.data(), dstates.data.data(),
            dlast.present ? dlast.data.data() : nullptr, dwx.data.data(),
            dr.data.data(), db.data.data(), ds0.data.data()))
      fatal(flashrnn_last_error());
    bwdMs = msSince(t3);
  }

  std::vector<Tensor *> outputs = {&states, &last};
  if (o.backward)
    outputs.insert(outputs.end(), {&dwx, &dr, &db, &ds0});
  auto t4 = Clock::now();
  if (!o.outputs.empty())
    for (Tensor *t : outputs)
      if (!writeNpyF64(o.outputs + "/" + t->name + ".npy", t->shape,
                       t->data.data(), error))
        fatal(error);
  double writeMs = msSince(t4);

  if (gpuBackward) {
    for (const cuda::KernelLaunchReport *k :
         {&gpuTrain.forwardTrain, &gpuTrain.backward, &gpuTrain.reduce})
      printKernel(*k);
    if (gpuTrain.reduceOverlapped)
      std::printf("gpu: backward_reduce runs beside the backward (a second "
                  "stream; each slice of steps once the backward has "
                  "stored it)\n");
    else
      std::printf("gpu: backward_reduce runs after the backward (%s)\n",
                  gpuTrain.notOverlappedWhy.c_str());
    std::printf("time (cuda, %s): load %.3f ms, inputs %.3f ms, gpu %.3f ms "
                "(module load, transfers, checked pass, %d timed)",
                dtypeName(m.dtype), loadMs, inputMs, fwdMs, o.repeat);
    if (o.check)
      std::printf(", cpu reference forward + backward %.3f ms", checkMs);
  } else if (useGpu) {
    printKernel(gpu);
    std::printf("time (cuda, %s): load %.3f ms, inputs %.3f ms, gpu %.3f ms "
                "(module load, transfers, checked forward, %d timed)",
                dtypeName(m.dtype), loadMs, inputMs, fwdMs, o.repeat);
    if (o.check)
      std::printf(", cpu reference %.3f ms", checkMs);
  } else {
    std::printf("time (cpu reference, float64): load %.3f ms, inputs %.3f "
                "ms, forward %.3f ms",
                loadMs, inputMs, fwdMs);
  }
  if (o.backward && !useGpu)
    std::printf(", backward %.3f ms", bwdMs);
  if (!o.outputs.empty())
    std::printf(", write %.3f ms", writeMs);
  std::printf("\noutputs%s:\n",
              o.outputs.empty() ? " (not written: no --outputs)" : "");
  int64_t bad = 0;
  for (Tensor *t : outputs)
    bad += report(*t);
  flashrnn_package_free(pkg);

  if (useGpu && gpu.medianMs >= 0) {
    double lo = *std::min_element(gpu.timesMs.begin(), gpu.timesMs.end());
    double hi = *std::max_element(gpu.timesMs.begin(), gpu.timesMs.end());
    std::printf("gpu time: median %.4f ms over %zu runs (min %.4f, max %.4f), "
                "%.4f us/step%s\n",
                gpu.medianMs, gpu.timesMs.size(), lo, hi,
                gpu.medianMs * 1000.0 / double(d.seq),
                gpuBackward ? " (forward_train + backward + backward_reduce)"
                            : "");
  }
  bool checkFailed = false;
  if (useGpu && o.check) {
    // docs/TARGETS.md item 4: bf16/f16 1e-2, f32 1e-3, relative to float64.
    double tolerance = m.dtype == DType::F32 ? 1e-3 : 1e-2;
    std::printf("check (gpu vs cpu reference, float64; pass: rel_frobenius "
                "<= %.0e, no NaN):\n",
                tolerance);
    checkFailed |= !compare(states, refStates, tolerance);
    checkFailed |= !compare(last, refLast, tolerance);
    if (gpuBackward) {
      checkFailed |= !compare(dwx, refDwx, tolerance);
      checkFailed |= !compare(dr, refDr, tolerance);
      checkFailed |= !compare(db, refDb, tolerance);
      checkFailed |= !compare(ds0, refDs0, tolerance);
    }
    std::printf("check: %s\n", checkFailed ? "FAIL" : "PASS");
  }
  std::fflush(stdout);
  if (checkFailed) {
    std::fprintf(stderr, "flashrnn-run: error: the GPU %s disagrees with the "
                         "CPU reference (see above)\n",
                 gpuBackward ? "training pass" : "forward");
    return 1;
  }
  if (bad) {
    std::fprintf(stderr,
                 "flashrnn-run: error: %lld non-finite output values (see "
                 "above); exit status 2\n",
                 (long long)bad);
    return 2;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  // Whatever goes wrong (a huge allocation above all) must end in a message
  // and exit 1, never in an abort.
  try {
    return run(argc, argv);
  } catch (const std::bad_alloc &) {
    fatal("out of memory (are the sizes right?)");
  } catch (const std::exception &e) {
    fatal(std::string("internal error: ") + e.what());
  }
}
