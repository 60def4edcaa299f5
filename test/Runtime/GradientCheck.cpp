//===- GradientCheck.cpp - CPU reference backward vs. finite differences --===//
//
// Part of FlashRNN-MLIR, the runtime's tests.
//
//===----------------------------------------------------------------------===//
//
// flashrnn-gradient-check PACKAGE [--tolerance T] [--step H]
//
// For L = <A, states> + <B, last> with random A, B, the runtime's backward
// (dstates = A, dlast = B) must match central finite differences of L in
// float64 for every element of Wx, R, b and s0. When the head is large, a
// random sample of elements is checked so the run stays within seconds.
//
// The step defaults to 1e-5: with 1e-6 the rounding error of L / h (about
// 1e-16 * |L| / h) already reaches 1e-7 for DH = 64 cells, with 1e-5 the
// truncation error (h^2) is still far below it.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"

#include "runtime/Manifest.h"
#include "runtime/Npy.h"
#include "runtime/Reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

using namespace flashrnn;

int main(int argc, char **argv) {
  const char *tool = "flashrnn-gradient-check";
  std::string package;
  double tolerance = 1e-6, fdStep = 1e-5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--tolerance") && i + 1 < argc)
      tolerance = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--step") && i + 1 < argc)
      fdStep = std::atof(argv[++i]);
    else if (argv[i][0] != '-' && package.empty())
      package = argv[i];
    else {
      std::fprintf(stderr, "usage: %s PACKAGE [--tolerance T] [--step H]\n", tool);
      return 1;
    }
  }
  if (package.empty()) {
    std::fprintf(stderr, "usage: %s PACKAGE [--tolerance T] [--step H]\n", tool);
    return 1;
  }
  FlashRnnPackage *pkg = test::loadOrDie(tool, package.c_str());
  Manifest m;
  std::string error;
  if (!loadManifest(package, m, error)) {
    std::fprintf(stderr, "%s: %s\n", tool, error.c_str());
    return 1;
  }
  if (m.usesStopGradient()) {
    // stop_gradient deliberately differs from the true derivative, which is
    // what finite differences measure; flashrnn-runtime-tests checks it.
    std::printf("%s: the program uses flashrnn.stop_gradient, so finite "
                "differences do not apply\nUNSUPPORTED\n",
                package.c_str());
    return 0;
  }

  const int64_t DH = m.headDim;
  RunDims d{2, 4, DH > 128 ? 1 : 2};
  TensorShapes sh = TensorShapes::get(m, d);
  Random rng(42);
  double scale = 1.0 / std::sqrt(double(DH));
  std::vector<double> wx = test::normals(rng, numElements(sh.wx), 1.0);
  std::vector<double> r = test::uniforms(rng, numElements(sh.r), -scale, scale);
  std::vector<double> b = test::normals(rng, numElements(sh.b), 0.1);
  std::vector<double> s0 = test::uniforms(rng, numElements(sh.s0), 0.05, 0.5);
  std::vector<double> A = test::normals(rng, numElements(sh.states), 1.0);
  std::vector<double> Bw = test::normals(rng, numElements(sh.last), 1.0);

  std::vector<double> states(A.size()), last(Bw.size());
  // Single-threaded: the finite-difference runs are tiny and many.
  flashrnn_set_reference_threads(1);
  auto loss = [&]() {
    if (flashrnn_reference_forward(pkg, d.batch, d.seq, d.heads, wx.data(),
                                   r.data(), b.data(), s0.data(),
                                   states.data(), last.data())) {
      std::fprintf(stderr, "%s: %s\n", tool, flashrnn_last_error());
      std::exit(1);
    }
    double l = 0;
    for (size_t i = 0; i < A.size(); ++i)
      l += A[i] * states[i];
    for (size_t i = 0; i < Bw.size(); ++i)
      l += Bw[i] * last[i];
    return l;
  };
  loss();

  std::vector<double> dwx(wx.size()), dr(r.size()), db(b.size()),
      ds0(s0.size());
  flashrnn_set_reference_threads(0);
  if (flashrnn_reference_backward(pkg, d.batch, d.seq, d.heads, wx.data(),
                                  r.data(), b.data(), s0.data(), states.data(),
                                  A.data(), Bw.data(), dwx.data(), dr.data(),
                                  db.data(), ds0.data())) {
    std::fprintf(stderr, "%s: %s\n", tool, flashrnn_last_error());
    return 1;
  }
  flashrnn_set_reference_threads(1);

  // Cost of one forward in multiply-adds; keep the total near 1e9.
  double forwardCost = double(d.batch) * d.seq * d.heads *
                       std::max(1, m.rGates) * DH * DH;
  int64_t perTensor = std::max<int64_t>(16, int64_t(1e9 / (8 * forwardCost)));

  struct Param {
    const char *name;
    std::vector<double> *x;
    const std::vector<double> *grad;
    std::vector<int64_t> shape;
  } params[] = {{"wx", &wx, &dwx, sh.wx},
                {"r", &r, &dr, sh.r},
                {"b", &b, &db, sh.b},
                {"s0", &s0, &ds0, sh.s0}};

  const double h = fdStep;
  double worst = 0;
  std::string worstWhere;
  int64_t checked = 0;
  for (Param &p : params) {
    int64_t n = int64_t(p.x->size());
    int64_t count = std::min(n, perTensor);
    double tensorWorst = 0;
    for (int64_t c = 0; c < count; ++c) {
      int64_t i = count == n ? c : int64_t(rng.below(uint64_t(n)));
      double saved = (*p.x)[i];
      (*p.x)[i] = saved + h;
      double lp = loss();
      (*p.x)[i] = saved - h;
      double lm = loss();
      (*p.x)[i] = saved;
      double fd = (lp - lm) / (2 * h);
      double an = (*p.grad)[i];
      // Relative error, with absolute error for small gradients: central
      // differences have about 1e-10 absolute error here.
      double err = std::fabs(fd - an) / std::max(1.0, std::fabs(an));
      if (std::isnan(fd) || std::isnan(an))
        err = INFINITY;
      ++checked;
      tensorWorst = std::max(tensorWorst, err);
      if (err > worst || (std::isinf(err) && worstWhere.empty())) {
        worst = err;
        // Unflatten the index for the report.
        std::vector<int64_t> idx(p.shape.size());
        int64_t f = i;
        for (size_t k = p.shape.size(); k-- > 0;) {
          idx[k] = f % p.shape[k];
          f /= p.shape[k];
        }
        char buf[256];
        std::snprintf(buf, sizeof(buf), "d%s%s: backward %.12e, finite "
                      "differences %.12e",
                      p.name, shapeToString(idx).c_str(), an, fd);
        worstWhere = buf;
      }
    }
    std::printf("  d%-3s %lld of %lld elements, max error %.3e\n", p.name,
                (long long)count, (long long)n, tensorWorst);
  }
  flashrnn_package_free(pkg);
  std::printf("%s (%s, B=%lld T=%lld NH=%lld DH=%lld): %lld elements, worst "
              "%.3e at %s\n",
              package.c_str(), m.cell.c_str(), (long long)d.batch,
              (long long)d.seq, (long long)d.heads, (long long)DH,
              (long long)checked, worst, worstWhere.c_str());
  bool pass = worst <= tolerance;
  std::printf("%s\n", pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}
