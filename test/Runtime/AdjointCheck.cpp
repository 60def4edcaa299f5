//===- AdjointCheck.cpp - the compiler's derived adjoint vs. FD -----------===//
//
// flashrnn-adjoint-check PACKAGE [--samples N] [--seed S]
//
// Checks the adjoint program that flashrnn-derive-backward derived for the
// package's cell (manifest "adjoint_program") at random points: its
// gradients must match central finite differences of the forward program
// for a random linear function of the new states, and the CPU reference's
// own reverse mode (an independent implementation of the same derivative
// rules). Runs without a GPU.
//
//===----------------------------------------------------------------------===//
#include "runtime/Manifest.h"
#include "runtime/Reference.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace flashrnn;

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: flashrnn-adjoint-check PACKAGE [--samples N] [--seed S]\n");
    return 1;
  }
  int samples = 200;
  unsigned seed = 1;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--samples")
      samples = std::atoi(argv[i + 1]);
    else if (flag == "--seed")
      seed = unsigned(std::atoi(argv[i + 1]));
  }
  Manifest m;
  std::string error;
  if (!loadManifest(argv[1], m, error)) {
    std::fprintf(stderr, "flashrnn-adjoint-check: %s\n", error.c_str());
    return 1;
  }
  if (!m.hasAdjointProgram) {
    std::fprintf(stderr,
                 "flashrnn-adjoint-check: %s has no adjoint_program\n", argv[1]);
    return 1;
  }
  const Program &fwd = m.program, &adj = m.adjointProgram;
  const int numArgs = int(fwd.args.size()), numStates = m.numStates;
  std::vector<int> differentiable; // states and gate values, not constants
  for (int a = 0; a < numArgs; ++a)
    if (fwd.args[a].kind != ArgKind::Constant)
      differentiable.push_back(a);

  std::mt19937_64 rng(seed);
  // Arguments in (0.1, 1.5): inside the domain of log and sqrt, away from
  // the kinks of max/min/abs at 0 for a generic point.
  std::uniform_real_distribution<double> argDist(0.1, 1.5), seedDist(-1, 1);
  double worst = 0, worstRef = 0;
  std::string worstWhere;
  bool usesStopGradient = m.usesStopGradient();
  for (int sample = 0; sample < samples; ++sample) {
    std::vector<double> x(numArgs), w(numStates);
    for (int a = 0; a < numArgs; ++a)
      x[a] = fwd.args[a].kind == ArgKind::Constant
                 ? m.constants[fwd.args[a].index].value
                 : argDist(rng);
    for (double &v : w)
      v = seedDist(rng);

    // L(x) = sum_s w_s * new_state_s(x)
    auto loss = [&](const std::vector<double> &at) {
      std::vector<double> values(fwd.numValues());
      std::copy(at.begin(), at.end(), values.begin());
      evalProgram(fwd, values.data());
      double l = 0;
      for (int s = 0; s < numStates; ++s)
        l += w[s] * values[fwd.results[s]];
      return l;
    };

    // The derived adjoint.
    std::vector<double> adjValues(adj.numValues());
    for (int a = 0; a < numArgs; ++a)
      adjValues[a] = x[a];
    for (int s = 0; s < numStates; ++s)
      adjValues[numArgs + s] = w[s];
    evalProgram(adj, adjValues.data());

    // The reference's reverse mode.
    std::vector<double> values(fwd.numValues()), grads(fwd.numValues(), 0.0);
    std::copy(x.begin(), x.end(), values.begin());
    evalProgram(fwd, values.data());
    for (int s = 0; s < numStates; ++s)
      grads[fwd.results[s]] += w[s];
    backpropProgram(fwd, values.data(), grads.data());

    for (size_t d = 0; d < differentiable.size(); ++d) {
      int a = differentiable[d];
      double derived = adjValues[adj.results[d]];
      double h = 1e-6 * std::max(1.0, std::fabs(x[a]));
      std::vector<double> xp = x, xm = x;
      xp[a] += h;
      xm[a] -= h;
      double fd = (loss(xp) - loss(xm)) / (2 * h);
      double scale = std::max(1.0, std::fabs(fd));
      double errFd = usesStopGradient ? 0.0 : std::fabs(derived - fd) / scale;
      double errRef = std::fabs(derived - grads[a]) / scale;
      if (!std::isfinite(derived))
        errFd = errRef = INFINITY;
      if (errFd > worst || errRef > worstRef) {
        char where[160];
        std::snprintf(where, sizeof where,
                      "sample %d, argument %d: derived %.12g, finite "
                      "difference %.12g, reference %.12g",
                      sample, a, derived, fd, grads[a]);
        worstWhere = where;
      }
      worst = std::max(worst, errFd);
      worstRef = std::max(worstRef, errRef);
    }
  }
  bool pass = worst <= 1e-6 && worstRef <= 1e-12;
  std::printf("%s: cell %s, %d samples: max error vs finite differences %.3g%s,"
              " vs reference reverse mode %.3g: %s\n",
              argv[1], m.cell.c_str(), samples, worst,
              usesStopGradient ? " (not compared: stop_gradient)" : "",
              worstRef, pass ? "PASS" : "FAIL");
  if (!pass)
    std::printf("worst: %s\n", worstWhere.c_str());
  return pass ? 0 : 1;
}
