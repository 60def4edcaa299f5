//===- flashrnn-bench.cpp - time a package's kernels ----------------------===//
//
// flashrnn-bench PACKAGE [--shape B,T,NH ...] [--repeat N] [--backward]
//                [--no-reduce-overlap] [--no-check] [--json FILE] [--seed S]
//
// For each shape: fresh random inputs (rounded to the package dtype, never
// zeros), the forward (and with --backward the training pass: forward_train,
// backward, backward_reduce) on the GPU, first checked against the float64
// CPU reference (relative Frobenius error of every output; tolerance 1e-2
// for bf16/f16, 1e-3 for f32), then timed: one untimed run, then N runs each
// between CUDA events, median reported. Prints a table and optionally JSON.
// A tensor-core reduction runs beside the backward where the runtime can
// (--no-reduce-overlap: after it, for A/B measurements); its split time is
// then what remained of it after the backward's end.
// Runtime only (no MLIR); needs a GPU.
//
// Limitation: the timed repetitions reuse one set of device buffers (the
// runtime's timing loop keeps the inputs on the device); at the sizes of
// TARGETS.md Wx and the states alone exceed the H100's 50 MB L2.
//
//===----------------------------------------------------------------------===//
#include "flashrnn/runtime.h"
#include "runtime/Random.h"
#include "runtime/Reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Shape {
  int64_t batch, seq, heads;
};

int usage(const char *why) {
  if (why)
    std::fprintf(stderr, "flashrnn-bench: error: %s\n", why);
  std::fprintf(stderr,
               "usage: flashrnn-bench PACKAGE [--shape B,T,NH]... [--repeat N] "
               "[--backward] [--no-reduce-overlap] [--no-check] [--json FILE] "
               "[--seed S]\n");
  return why ? 1 : 0;
}

double relFrobenius(const std::vector<double> &got,
                    const std::vector<double> &ref) {
  double num = 0, den = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double d = got[i] - ref[i];
    if (!std::isfinite(got[i]))
      return INFINITY;
    num += d * d;
    den += ref[i] * ref[i];
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

struct Result {
  Shape shape;
  double fwMs = -1, fwbwMs = -1;
  // forward_train, backward, backward_reduce: medians within the timed
  // training passes.
  double splitMs[3] = {-1, -1, -1};
  int reduceOverlapped = -1; // 1: the reduction ran beside the backward
  double fwErr = -1, bwErr = -1;
  bool pass = true;
  std::string error;
  // The entries that ran (a package's batch variants differ by B).
  std::string fwKernel, fwbwKernel;
};

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    return usage("no package given");
  if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))
    return usage(nullptr);
  std::string packageDir = argv[1];
  std::vector<Shape> shapes;
  int repeat = 20;
  bool backward = false, check = true;
  std::string jsonPath;
  unsigned seed = 1;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char * {
      return i + 1 < argc ? argv[++i] : nullptr;
    };
    if (a == "--shape") {
      const char *v = next();
      Shape s;
      if (!v || std::sscanf(v, "%ld,%ld,%ld", &s.batch, &s.seq, &s.heads) != 3 ||
          s.batch < 1 || s.seq < 1 || s.heads < 1)
        return usage("--shape takes B,T,NH (positive integers)");
      shapes.push_back(s);
    } else if (a == "--repeat") {
      const char *v = next();
      if (!v || (repeat = std::atoi(v)) < 1)
        return usage("--repeat takes a positive integer");
    } else if (a == "--backward") {
      backward = true;
    } else if (a == "--no-reduce-overlap") {
      flashrnn_gpu_set_reduce_overlap(0);
    } else if (a == "--no-check") {
      check = false;
    } else if (a == "--json") {
      const char *v = next();
      if (!v)
        return usage("--json takes a file name");
      jsonPath = v;
    } else if (a == "--seed") {
      const char *v = next();
      if (!v)
        return usage("--seed takes an integer");
      seed = unsigned(std::atoi(v));
    } else {
      return usage(("unknown argument '" + a + "'").c_str());
    }
  }
  if (shapes.empty())
    shapes.push_back({16, 1024, 12});

  FlashRnnPackage *pkg = flashrnn_package_load(packageDir.c_str());
  if (!pkg) {
    std::fprintf(stderr, "flashrnn-bench: %s\n", flashrnn_last_error());
    return 1;
  }
  if (!flashrnn_cuda_available()) {
    std::fprintf(stderr, "flashrnn-bench: %s\n", flashrnn_last_error());
    return 1;
  }
  if (flashrnn_package_has_gpu_forward(pkg) != 1 ||
      (backward && flashrnn_package_has_gpu_backward(pkg) != 1)) {
    std::fprintf(stderr,
                 "flashrnn-bench: %s has no GPU %s kernels (compile it without "
                 "--cpu-only%s)\n",
                 packageDir.c_str(), backward ? "training" : "forward",
                 backward ? " and --inference-only" : "");
    return 1;
  }
  char device[256];
  flashrnn_cuda_device_name(device, sizeof device);
  int counts[4];
  flashrnn_package_counts(pkg, &counts[0], &counts[1], &counts[2], &counts[3]);
  int64_t gw = counts[0], gr = counts[1], gb = counts[2], s = counts[3];
  int64_t dh = flashrnn_package_head_dim(pkg);
  std::string dtype = flashrnn_package_dtype(pkg);
  double tolerance = dtype == "f32" ? 1e-3 : 1e-2;

  // Normal inputs, drawn in parallel chunks (runtime/Random.h: the values
  // depend on the seed only); each tensor has its own stream.
  uint64_t stream = 0;
  auto fill = [&](std::vector<double> &v, double scale, double shift = 0) {
    int64_t n = int64_t(v.size());
    uint64_t s = stream++;
    flashrnn::parallelFor((n + flashrnn::kRandomChunk - 1) /
                              flashrnn::kRandomChunk,
                          [&](int64_t c) {
                            flashrnn::Random rng =
                                flashrnn::chunkRandom(seed, s, uint64_t(c));
                            int64_t end =
                                std::min(n, (c + 1) * flashrnn::kRandomChunk);
                            for (int64_t i = c * flashrnn::kRandomChunk;
                                 i < end; ++i)
                              v[size_t(i)] = shift + scale * rng.normal();
                          });
    flashrnn_round_to_dtype(pkg, v.data(), int64_t(v.size()));
  };

  std::vector<Result> results;
  bool allPass = true;
  for (const Shape &sh : shapes) {
    Result res;
    res.shape = sh;
    int64_t B = sh.batch, T = sh.seq, NH = sh.heads;
    std::vector<double> wx(B * T * gw * NH * dh), r(gr * NH * dh * dh),
        b(gb * NH * dh), s0(s * B * NH * dh), states(s * B * T * NH * dh),
        last(s * B * NH * dh);
    fill(wx, 1.0);
    fill(r, 1.0 / std::sqrt(double(dh)) / std::sqrt(3.0));
    fill(b, 0.1);
    fill(s0, 0.1, 0.2);
    double ms = -1;
    if (flashrnn_gpu_forward(pkg, B, T, NH, wx.data(), r.data(), b.data(),
                             s0.data(), states.data(), last.data(), repeat,
                             &ms) != FLASHRNN_OK) {
      res.error = flashrnn_last_error();
      res.pass = false;
    }
    res.fwMs = ms;
    if (res.pass)
      res.fwKernel = flashrnn_gpu_last_kernel();
    if (res.pass && check) {
      std::vector<double> rs(states.size()), rl(last.size());
      flashrnn_reference_forward(pkg, B, T, NH, wx.data(), r.data(), b.data(),
                                 s0.data(), rs.data(), rl.data());
      res.fwErr = std::max(relFrobenius(states, rs), relFrobenius(last, rl));
      res.pass = res.fwErr <= tolerance;
    }
    if (res.pass && backward) {
      std::vector<double> dstates(states.size()), dlast(last.size()),
          dwx(wx.size()), dr(r.size()), db(b.size()), ds0(s0.size());
      fill(dstates, 1.0);
      fill(dlast, 1.0);
      double bms = -1;
      if (flashrnn_gpu_backward(pkg, B, T, NH, wx.data(), r.data(), b.data(),
                                s0.data(), dstates.data(), dlast.data(),
                                states.data(), last.data(), dwx.data(),
                                dr.data(), db.data(), ds0.data(), repeat,
                                &bms) != FLASHRNN_OK) {
        res.error = flashrnn_last_error();
        res.pass = false;
      }
      res.fwbwMs = bms;
      if (res.pass)
        res.fwbwKernel = flashrnn_gpu_last_kernel();
      flashrnn_gpu_backward_split(&res.splitMs[0], &res.splitMs[1],
                                  &res.splitMs[2]);
      res.reduceOverlapped = flashrnn_gpu_backward_overlapped();
      if (res.pass && check) {
        std::vector<double> rdwx(dwx.size()), rdr(dr.size()), rdb(db.size()),
            rds0(ds0.size());
        flashrnn_reference_backward(pkg, B, T, NH, wx.data(), r.data(),
                                    b.data(), s0.data(), nullptr,
                                    dstates.data(), dlast.data(), rdwx.data(),
                                    rdr.data(), rdb.data(), rds0.data());
        res.bwErr = std::max({relFrobenius(dwx, rdwx), relFrobenius(dr, rdr),
                              relFrobenius(db, rdb), relFrobenius(ds0, rds0)});
        res.pass = res.bwErr <= tolerance;
      }
    }
    allPass &= res.pass;
    results.push_back(res);
  }

  std::printf("package %s: cell %s, %s, DH=%ld on %s; median of %d runs\n",
              packageDir.c_str(), flashrnn_package_cell(pkg), dtype.c_str(),
              long(dh), device, repeat);
  std::printf("| B | T | NH | fw ms | fw us/step | fw+bw ms | "
              "fw_train / bw / reduce ms | fw rel err | grad rel err | check "
              "|\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Result &r : results) {
    char split[96] = "-";
    if (r.splitMs[0] >= 0)
      std::snprintf(split, sizeof split, "%.3f / %.3f / %.3f%s",
                    r.splitMs[0], r.splitMs[1], r.splitMs[2],
                    r.reduceOverlapped == 1 ? " (beside)" : "");
    std::printf("| %ld | %ld | %ld | %.4f | %.3f | %s | %s | %s | %s | %s |\n",
                long(r.shape.batch), long(r.shape.seq), long(r.shape.heads),
                r.fwMs, r.fwMs * 1000.0 / double(r.shape.seq),
                r.fwbwMs >= 0 ? std::to_string(r.fwbwMs).c_str() : "-", split,
                r.fwErr >= 0 ? std::to_string(r.fwErr).c_str() : "-",
                r.bwErr >= 0 ? std::to_string(r.bwErr).c_str() : "-",
                r.pass ? (check ? "pass" : "not checked") : "FAIL");
    if (!r.fwKernel.empty())
      std::printf("  kernels: forward %s%s%s\n", r.fwKernel.c_str(),
                  r.fwbwKernel.empty() ? "" : ", forward_train ",
                  r.fwbwKernel.c_str());
    if (!r.error.empty())
      std::printf("  error: %s\n", r.error.c_str());
  }
  for (const Result &r : results)
    if (r.reduceOverlapped == 1) {
      std::printf("(beside): backward_reduce ran beside the backward; its "
                  "time is the part after the backward's end\n");
      break;
    }
  if (!jsonPath.empty()) {
    FILE *f = std::fopen(jsonPath.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "flashrnn-bench: cannot write %s\n",
                   jsonPath.c_str());
      return 1;
    }
    std::fprintf(f, "{\"package\": \"%s\", \"cell\": \"%s\", \"dtype\": \"%s\", "
                    "\"head_dim\": %ld, \"device\": \"%s\", \"repeat\": %d, "
                    "\"results\": [",
                 packageDir.c_str(), flashrnn_package_cell(pkg), dtype.c_str(),
                 long(dh), device, repeat);
    for (size_t i = 0; i < results.size(); ++i) {
      const Result &r = results[i];
      std::fprintf(f, "%s{\"batch\": %ld, \"seq\": %ld, \"heads\": %ld, "
                      "\"fw_ms\": %.6f, \"fwbw_ms\": %.6f, \"fw_rel_err\": %g, "
                      "\"forward_train_ms\": %.6f, \"backward_ms\": %.6f, "
                      "\"reduce_ms\": %.6f, \"reduce_overlapped\": %s, "
                      "\"grad_rel_err\": %g, \"fw_kernel\": \"%s\", "
                      "\"fwbw_kernel\": \"%s\", \"pass\": %s}",
                   i ? ", " : "", long(r.shape.batch), long(r.shape.seq),
                   long(r.shape.heads), r.fwMs, r.fwbwMs, r.fwErr,
                   r.splitMs[0], r.splitMs[1], r.splitMs[2],
                   r.reduceOverlapped == 1 ? "true" : "false", r.bwErr,
                   r.fwKernel.c_str(), r.fwbwKernel.c_str(),
                   r.pass ? "true" : "false");
    }
    std::fprintf(f, "]}\n");
    std::fclose(f);
  }
  flashrnn_package_free(pkg);
  return allPass ? 0 : 1;
}
