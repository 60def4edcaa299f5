//===- Reference.h - float64 CPU reference of a package's cell ---*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// Executes any package's cell on the CPU in float64, forward and backward
// through time, from the element-wise program in its manifest. This is the
// ground truth for every GPU test, so it is written for clarity and exactness
// first; it is parallel over (batch, head) to stay usable at real sizes.
//
// All tensors are dense, C order, in the public layouts of
// docs/PACKAGE.md / ARCHITECTURE.md:
//   Wx [B, T, Gw, NH, DH]   R [Gr, NH, DH, DH]   b [Gb, NH, DH]
//   s0 / last / ds0 [S, B, NH, DH]   states / dstates [S, B, T, NH, DH]
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_REFERENCE_H
#define FLASHRNN_RUNTIME_REFERENCE_H

#include "runtime/Manifest.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace flashrnn {

/// The run-time sizes: batch B, sequence length T, heads NH.
struct RunDims {
  int64_t batch = 0, seq = 0, heads = 0;
};

/// Shapes of the public tensors for a package and run-time sizes.
struct TensorShapes {
  std::vector<int64_t> wx, r, b, s0, states, last;
  static TensorShapes get(const Manifest &m, const RunDims &d);
};

int64_t numElements(const std::vector<int64_t> &shape);

/// Checks that the sizes are positive and the tensors addressable.
bool checkDims(const Manifest &m, const RunDims &d, std::string &error);

//===----------------------------------------------------------------------===//
// The element-wise program (exposed for the per-op unit tests).
//===----------------------------------------------------------------------===//

/// Evaluates the program: values[0 .. args) are given, the op values are
/// written after them. `values` has program.numValues() entries.
void evalProgram(const Program &program, double *values);

/// Reverse mode through the program. `values` are the forward values of
/// evalProgram; `grads` (numValues entries) holds on entry the seeds (the
/// gradients of the results, zero elsewhere) and on exit, for each argument,
/// the gradient w.r.t. it. Op values' entries are clobbered.
void backpropProgram(const Program &program, const double *values,
                     double *grads);

//===----------------------------------------------------------------------===//
// Forward and backward through time.
//===----------------------------------------------------------------------===//

/// `s0` may be null: every state then starts at its manifest `init`.
bool referenceForward(const Manifest &m, const RunDims &d, const double *wx,
                      const double *r, const double *b, const double *s0,
                      double *states, double *last, std::string &error);

/// Gradients of L with dL/dstates = `dstates`, dL/dlast = `dlast` (either may
/// be null = zero). `states` is the forward output; if null it is recomputed.
/// The backward keeps no per-step tape: it recomputes each step's program from
/// the saved states. `ds0` is the gradient w.r.t. s0, or, when s0 is null,
/// w.r.t. the broadcast init values. Outputs are overwritten.
bool referenceBackward(const Manifest &m, const RunDims &d, const double *wx,
                       const double *r, const double *b, const double *s0,
                       const double *states, const double *dstates,
                       const double *dlast, double *dwx, double *dr,
                       double *db, double *ds0, std::string &error);

/// Runs fn(task) for task in [0, numTasks) on a pool of std::threads (as many
/// as setReferenceThreads says, by default the hardware's). Tasks must write
/// disjoint outputs, so that the result does not depend on the schedule.
void parallelFor(int64_t numTasks, const std::function<void(int64_t)> &fn);

/// Threads used by the reference (defaults to std::thread's
/// hardware_concurrency; 0 restores the default). Results do not depend on it.
void setReferenceThreads(unsigned threads);

} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_REFERENCE_H
