//===- ReferenceCheck.cpp - CPU reference vs. closed-form cells -----------===//
//
// Part of FlashRNN-MLIR, the runtime's tests.
//
//===----------------------------------------------------------------------===//
//
// flashrnn-reference-check PACKAGE --cell lstm|gru|slstm|elman
//
// Runs the runtime's float64 reference forward (through the C ABI) on random
// inputs and compares it with the cell written out here from its published
// equations (torch.nn.LSTM, torch.nn.GRU reset-after, xLSTM's sLSTM, Elman).
// The closed forms only use the manifest's row assignment (which row of Wx,
// R and b a gate lives in), never its program: they check the program.
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"

#include "runtime/Manifest.h"
#include "runtime/Reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

using namespace flashrnn;

namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double logSigmoid(double x) { return -std::log1p(std::exp(-x)); }

struct Inputs {
  int64_t B, T, NH, DH;
  const Manifest *m;
  std::vector<double> wx, r, b, s0;

  /// x_k + b_k: the gate's input part with its bias.
  double in(int k, int64_t bi, int64_t t, int64_t n, int64_t j) const {
    const GateInfo &g = m->gates[k];
    double v = 0;
    if (g.input)
      v += wx[(((bi * T + t) * m->wxGates + g.wxIndex) * NH + n) * DH + j];
    if (g.bias)
      v += b[(g.bIndex * NH + n) * DH + j];
    return v;
  }
  /// R_k h (+ the recurrent bias if the gate has one).
  double rec(int k, int64_t n, int64_t j, const std::vector<double> &h) const {
    const GateInfo &g = m->gates[k];
    double v = 0;
    if (g.recurrent)
      for (int64_t i = 0; i < DH; ++i)
        v += r[((g.rIndex * NH + n) * DH + j) * DH + i] * h[i];
    if (g.recurrentBias)
      v += b[(g.rbIndex * NH + n) * DH + j];
    return v;
  }
};

/// One step of the cell for one (b, n): state[s][j] -> new state.
using StepFn = void (*)(const Inputs &, int64_t bi, int64_t t, int64_t n,
                        std::vector<std::vector<double>> &s);

void lstmStep(const Inputs &in, int64_t bi, int64_t t, int64_t n,
              std::vector<std::vector<double>> &s) {
  std::vector<double> h = s[0];
  for (int64_t j = 0; j < in.DH; ++j) {
    double gi = sigmoid(in.in(0, bi, t, n, j) + in.rec(0, n, j, h));
    double gf = sigmoid(in.in(1, bi, t, n, j) + in.rec(1, n, j, h));
    double gg = std::tanh(in.in(2, bi, t, n, j) + in.rec(2, n, j, h));
    double go = sigmoid(in.in(3, bi, t, n, j) + in.rec(3, n, j, h));
    double c = gf * s[1][j] + gi * gg;
    s[1][j] = c;
    s[0][j] = go * std::tanh(c);
  }
}

void gruStep(const Inputs &in, int64_t bi, int64_t t, int64_t n,
             std::vector<std::vector<double>> &s) {
  std::vector<double> h = s[0];
  for (int64_t j = 0; j < in.DH; ++j) {
    double gr = sigmoid(in.in(0, bi, t, n, j) + in.rec(0, n, j, h));
    double gz = sigmoid(in.in(1, bi, t, n, j) + in.rec(1, n, j, h));
    // rec(2) includes b_rn: r * (R_n h + b_rn), the reset-after form.
    double gn = std::tanh(in.in(2, bi, t, n, j) + gr * in.rec(2, n, j, h));
    s[0][j] = (1 - gz) * gn + gz * h[j];
  }
}

void slstmStep(const Inputs &in, int64_t bi, int64_t t, int64_t n,
               std::vector<std::vector<double>> &s) {
  std::vector<double> h = s[0];
  for (int64_t j = 0; j < in.DH; ++j) {
    double i = in.in(0, bi, t, n, j) + in.rec(0, n, j, h);
    double f = in.in(1, bi, t, n, j) + in.rec(1, n, j, h);
    double z = in.in(2, bi, t, n, j) + in.rec(2, n, j, h);
    double o = in.in(3, bi, t, n, j) + in.rec(3, n, j, h);
    double logf = logSigmoid(f);
    double m = s[3][j];
    double mNew = std::max(i, logf + m);
    double ig = std::exp(i - mNew), fg = std::exp(logf + m - mNew);
    double c = fg * s[1][j] + ig * std::tanh(z);
    double nn = fg * s[2][j] + ig;
    s[0][j] = sigmoid(o) * c / nn;
    s[1][j] = c;
    s[2][j] = nn;
    s[3][j] = mNew;
  }
}

void elmanStep(const Inputs &in, int64_t bi, int64_t t, int64_t n,
               std::vector<std::vector<double>> &s) {
  std::vector<double> h = s[0];
  for (int64_t j = 0; j < in.DH; ++j)
    s[0][j] = std::tanh(in.in(0, bi, t, n, j) + in.rec(0, n, j, h));
}

struct CellSpec {
  const char *name;
  int gates, states;
  StepFn step;
};
const CellSpec kCells[] = {{"lstm", 4, 2, lstmStep},
                           {"gru", 3, 1, gruStep},
                           {"slstm", 4, 4, slstmStep},
                           {"elman", 1, 1, elmanStep}};

/// Max |a - b| / max |b| over both outputs.
double compare(const Inputs &in, const CellSpec &cell, bool useS0,
               const std::vector<double> &states,
               const std::vector<double> &last) {
  const int64_t B = in.B, T = in.T, NH = in.NH, DH = in.DH;
  const int S = cell.states;
  double maxErr = 0, maxVal = 0;
  for (int64_t bi = 0; bi < B; ++bi)
    for (int64_t n = 0; n < NH; ++n) {
      std::vector<std::vector<double>> s(S, std::vector<double>(DH));
      for (int k = 0; k < S; ++k)
        for (int64_t j = 0; j < DH; ++j)
          s[k][j] = useS0 ? in.s0[((k * B + bi) * NH + n) * DH + j]
                          : in.m->states[k].init;
      for (int64_t t = 0; t < T; ++t) {
        cell.step(in, bi, t, n, s);
        for (int k = 0; k < S; ++k)
          for (int64_t j = 0; j < DH; ++j) {
            double got = states[(((k * B + bi) * T + t) * NH + n) * DH + j];
            // NaN must fail, not vanish in std::max.
            if (std::isnan(got) || std::isnan(s[k][j]))
              return INFINITY;
            maxErr = std::max(maxErr, std::fabs(got - s[k][j]));
            maxVal = std::max(maxVal, std::fabs(s[k][j]));
            if (t == T - 1) {
              double l = last[((k * B + bi) * NH + n) * DH + j];
              if (std::isnan(l))
                return INFINITY;
              maxErr = std::max(maxErr, std::fabs(l - s[k][j]));
            }
          }
      }
    }
  return maxErr / std::max(maxVal, 1e-300);
}

} // namespace

int main(int argc, char **argv) {
  const char *tool = "flashrnn-reference-check";
  std::string package, cellName;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--cell") && i + 1 < argc)
      cellName = argv[++i];
    else if (argv[i][0] != '-' && package.empty())
      package = argv[i];
    else {
      std::fprintf(stderr,
                   "usage: %s PACKAGE --cell lstm|gru|slstm|elman\n", tool);
      return 1;
    }
  }
  const CellSpec *cell = nullptr;
  for (const CellSpec &c : kCells)
    if (cellName == c.name)
      cell = &c;
  if (package.empty() || !cell) {
    std::fprintf(stderr, "usage: %s PACKAGE --cell lstm|gru|slstm|elman\n",
                 tool);
    return 1;
  }

  FlashRnnPackage *pkg = test::loadOrDie(tool, package.c_str());
  Manifest m;
  std::string error;
  if (!loadManifest(package, m, error)) {
    std::fprintf(stderr, "%s: %s\n", tool, error.c_str());
    return 1;
  }
  if (int(m.gates.size()) != cell->gates || m.numStates != cell->states ||
      m.recurrentState != 0) {
    std::fprintf(stderr,
                 "%s: package '%s' has %zu gates and %d states; a %s cell has "
                 "%d and %d (h first)\n",
                 tool, package.c_str(), m.gates.size(), m.numStates,
                 cell->name, cell->gates, cell->states);
    return 1;
  }

  Inputs in;
  in.B = 3;
  in.T = 7;
  in.NH = 2;
  in.DH = m.headDim;
  in.m = &m;
  RunDims d{in.B, in.T, in.NH};
  TensorShapes sh = TensorShapes::get(m, d);
  Random rng(20251125);
  in.wx = test::normals(rng, numElements(sh.wx), 1.0);
  double scale = 1.0 / std::sqrt(double(in.DH));
  in.r = test::uniforms(rng, numElements(sh.r), -scale, scale);
  in.b = test::normals(rng, numElements(sh.b), 0.1);
  in.s0 = test::uniforms(rng, numElements(sh.s0), 0.05, 0.5);

  std::vector<double> states(size_t(numElements(sh.states))),
      last(size_t(numElements(sh.last)));
  double worst = 0;
  for (bool useS0 : {false, true}) {
    if (flashrnn_reference_forward(pkg, in.B, in.T, in.NH, in.wx.data(),
                                   in.r.data(), in.b.data(),
                                   useS0 ? in.s0.data() : nullptr,
                                   states.data(), last.data())) {
      std::fprintf(stderr, "%s: %s\n", tool, flashrnn_last_error());
      return 1;
    }
    double err = compare(in, *cell, useS0, states, last);
    std::printf("%s %s (B=%lld T=%lld NH=%lld DH=%lld, %s): max rel error "
                "%.3e\n",
                cell->name, package.c_str(), (long long)in.B, (long long)in.T,
                (long long)in.NH, (long long)in.DH,
                useS0 ? "random s0" : "init states", err);
    worst = std::max(worst, err);
  }
  flashrnn_package_free(pkg);
  bool pass = worst <= 1e-12;
  std::printf("%s\n", pass ? "PASS" : "FAIL (tolerance 1e-12)");
  return pass ? 0 : 1;
}
