//===- Reference.cpp - float64 CPU reference of a package's cell ----------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Reference.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <thread>

namespace flashrnn {

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

TensorShapes TensorShapes::get(const Manifest &m, const RunDims &d) {
  TensorShapes s;
  int64_t dh = m.headDim;
  s.wx = {d.batch, d.seq, m.wxGates, d.heads, dh};
  s.r = {m.rGates, d.heads, dh, dh};
  s.b = {m.bGates, d.heads, dh};
  s.s0 = {m.numStates, d.batch, d.heads, dh};
  s.states = {m.numStates, d.batch, d.seq, d.heads, dh};
  s.last = s.s0;
  return s;
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t v : shape)
    n *= v;
  return n;
}

bool checkDims(const Manifest &m, const RunDims &d, std::string &error) {
  if (d.batch < 1 || d.seq < 1 || d.heads < 1) {
    error = "batch, sequence length and heads must be >= 1 (got B=" +
            std::to_string(d.batch) + ", T=" + std::to_string(d.seq) +
            ", NH=" + std::to_string(d.heads) + ")";
    return false;
  }
  // Keep every element count far from int64 overflow (2^40 doubles is 8 TiB:
  // nothing legitimate comes close).
  const double limit = double(int64_t(1) << 40);
  double dh = double(m.headDim);
  double biggest =
      std::max({double(d.batch) * d.seq * std::max(m.wxGates, m.numStates) *
                    d.heads * dh,
                double(m.rGates) * d.heads * dh * dh});
  if (biggest > limit) {
    error = "tensor sizes too large (B=" + std::to_string(d.batch) +
            ", T=" + std::to_string(d.seq) + ", NH=" + std::to_string(d.heads) +
            ")";
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Scalar functions, written to be accurate over the whole double range.
//===----------------------------------------------------------------------===//

namespace {

double sigmoid(double x) {
  if (x >= 0)
    return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}

/// log(1 + exp(x)) without overflow for large x or loss for very negative x.
double softplus(double x) {
  return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
}

bool compare(CmpPredicate p, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (p) {
  case CmpPredicate::False:
    return false;
  case CmpPredicate::True:
    return true;
  case CmpPredicate::OEQ:
    return !unordered && a == b;
  case CmpPredicate::OGT:
    return !unordered && a > b;
  case CmpPredicate::OGE:
    return !unordered && a >= b;
  case CmpPredicate::OLT:
    return !unordered && a < b;
  case CmpPredicate::OLE:
    return !unordered && a <= b;
  case CmpPredicate::ONE:
    return !unordered && a != b;
  case CmpPredicate::ORD:
    return !unordered;
  case CmpPredicate::UEQ:
    return unordered || a == b;
  case CmpPredicate::UGT:
    return unordered || a > b;
  case CmpPredicate::UGE:
    return unordered || a >= b;
  case CmpPredicate::ULT:
    return unordered || a < b;
  case CmpPredicate::ULE:
    return unordered || a <= b;
  case CmpPredicate::UNE:
    return unordered || a != b;
  case CmpPredicate::UNO:
    return unordered;
  }
  return false;
}

} // namespace

//===----------------------------------------------------------------------===//
// Program evaluation
//===----------------------------------------------------------------------===//

void evalProgram(const Program &program, double *values) {
  const size_t base = program.args.size();
  for (size_t i = 0; i < program.ops.size(); ++i) {
    const ProgramOp &op = program.ops[i];
    const int *o = op.operands.data();
    double a = op.operands.size() > 0 ? values[o[0]] : 0.0;
    double b = op.operands.size() > 1 ? values[o[1]] : 0.0;
    double y = 0.0;
    switch (op.code) {
    case OpCode::Constant:
      y = op.value;
      break;
    case OpCode::AddF:
      y = a + b;
      break;
    case OpCode::SubF:
      y = a - b;
      break;
    case OpCode::MulF:
      y = a * b;
      break;
    case OpCode::DivF:
      y = a / b;
      break;
    case OpCode::NegF:
      y = -a;
      break;
    // arith.maximumf/minimumf are IEEE 754-2019 maximum/minimum: NaN
    // propagates (std::fmax would drop it).
    case OpCode::MaximumF:
      y = (std::isnan(a) || std::isnan(b)) ? std::numeric_limits<double>::quiet_NaN()
                                          : (a >= b ? a : b);
      break;
    case OpCode::MinimumF:
      y = (std::isnan(a) || std::isnan(b)) ? std::numeric_limits<double>::quiet_NaN()
                                          : (a <= b ? a : b);
      break;
    case OpCode::CmpF:
      y = compare(op.predicate, a, b) ? 1.0 : 0.0;
      break;
    case OpCode::Select:
      y = a != 0.0 ? b : values[o[2]];
      break;
    case OpCode::Exp:
      y = std::exp(a);
      break;
    case OpCode::Log:
      y = std::log(a);
      break;
    case OpCode::Tanh:
      y = std::tanh(a);
      break;
    case OpCode::Sqrt:
      y = std::sqrt(a);
      break;
    case OpCode::Log1p:
      y = std::log1p(a);
      break;
    case OpCode::AbsF:
      y = std::fabs(a);
      break;
    case OpCode::Sigmoid:
      y = sigmoid(a);
      break;
    case OpCode::LogSigmoid:
      y = -softplus(-a);
      break;
    case OpCode::Softplus:
      y = softplus(a);
      break;
    case OpCode::StopGradient:
      y = a;
      break;
    }
    values[base + i] = y;
  }
}

void backpropProgram(const Program &program, const double *values,
                     double *grads) {
  const size_t base = program.args.size();
  for (size_t i = program.ops.size(); i-- > 0;) {
    const ProgramOp &op = program.ops[i];
    double g = grads[base + i];
    if (g == 0.0)
      continue; // also skips ops nothing depends on
    const int *o = op.operands.data();
    double a = op.operands.size() > 0 ? values[o[0]] : 0.0;
    double b = op.operands.size() > 1 ? values[o[1]] : 0.0;
    double y = values[base + i];
    switch (op.code) {
    case OpCode::Constant:
    case OpCode::CmpF:
    case OpCode::StopGradient:
      break; // no gradient flows
    case OpCode::AddF:
      grads[o[0]] += g;
      grads[o[1]] += g;
      break;
    case OpCode::SubF:
      grads[o[0]] += g;
      grads[o[1]] -= g;
      break;
    case OpCode::MulF:
      grads[o[0]] += g * b;
      grads[o[1]] += g * a;
      break;
    case OpCode::DivF:
      grads[o[0]] += g / b;
      grads[o[1]] -= g * a / (b * b);
      break;
    case OpCode::NegF:
      grads[o[0]] -= g;
      break;
    case OpCode::MaximumF:
      grads[a >= b ? o[0] : o[1]] += g;
      break;
    case OpCode::MinimumF:
      grads[a <= b ? o[0] : o[1]] += g;
      break;
    case OpCode::Select:
      // The condition is an i1: no gradient; only the chosen operand gets it.
      grads[a != 0.0 ? o[1] : o[2]] += g;
      break;
    case OpCode::Exp:
      grads[o[0]] += g * y;
      break;
    case OpCode::Log:
      grads[o[0]] += g / a;
      break;
    case OpCode::Tanh:
      grads[o[0]] += g * (1.0 - y * y);
      break;
    case OpCode::Sqrt:
      grads[o[0]] += g * 0.5 / y;
      break;
    case OpCode::Log1p:
      grads[o[0]] += g / (1.0 + a);
      break;
    case OpCode::AbsF:
      grads[o[0]] += g * (a > 0 ? 1.0 : (a < 0 ? -1.0 : 0.0));
      break;
    case OpCode::Sigmoid:
      grads[o[0]] += g * y * (1.0 - y);
      break;
    case OpCode::LogSigmoid:
      grads[o[0]] += g * sigmoid(-a); // 1 - sigmoid(a), without cancellation
      break;
    case OpCode::Softplus:
      grads[o[0]] += g * sigmoid(a);
      break;
    }
  }
}

//===----------------------------------------------------------------------===//
// Time loop
//===----------------------------------------------------------------------===//

namespace {

std::atomic<unsigned> configuredThreads{0};

} // namespace

void parallelFor(int64_t numTasks, const std::function<void(int64_t)> &fn) {
  unsigned threads = configuredThreads.load();
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<int64_t>(threads, numTasks));
  if (threads <= 1) {
    for (int64_t t = 0; t < numTasks; ++t)
      fn(t);
    return;
  }
  std::atomic<int64_t> next{0};
  auto worker = [&]() {
    for (int64_t t; (t = next.fetch_add(1)) < numTasks;)
      fn(t);
  };
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i)
    pool.emplace_back(worker);
  worker();
  for (std::thread &th : pool)
    th.join();
}

namespace {

/// Index arithmetic for the public layouts, and the per-step work shared by
/// the forward and the backward (the backward recomputes the forward step).
class Cell {
public:
  Cell(const Manifest &m, const RunDims &d, const double *wx, const double *r,
       const double *b)
      : m(m), B(d.batch), T(d.seq), NH(d.heads), DH(m.headDim),
        G(int(m.gates.size())), S(m.numStates), wx(wx), r(r), bias(b) {}

  const Manifest &m;
  const int64_t B, T, NH, DH;
  const int G, S;
  const double *wx, *r, *bias;

  int64_t wxAt(int64_t b, int64_t t, int64_t g, int64_t n) const {
    return (((b * T + t) * m.wxGates + g) * NH + n) * DH;
  }
  int64_t rAt(int64_t k, int64_t n) const { return (k * NH + n) * DH * DH; }
  int64_t biasAt(int64_t k, int64_t n) const { return (k * NH + n) * DH; }
  int64_t stateAt(int64_t s, int64_t b, int64_t t, int64_t n) const {
    return (((s * B + b) * T + t) * NH + n) * DH;
  }
  int64_t lastAt(int64_t s, int64_t b, int64_t n) const {
    return ((s * B + b) * NH + n) * DH;
  }

  /// The gate pre-activations of step t for (b, n): x[k*DH + j] (input part
  /// + bias) and rec[k*DH + j] (recurrent part + recurrent bias), from the
  /// previous recurrent state h[0..DH).
  void gates(int64_t b, int64_t t, int64_t n, const double *h, double *x,
             double *rec) const {
    for (int k = 0; k < G; ++k) {
      const GateInfo &gate = m.gates[k];
      double *xk = x + k * DH, *rk = rec + k * DH;
      for (int64_t j = 0; j < DH; ++j)
        xk[j] = rk[j] = 0.0;
      if (gate.input) {
        const double *w = wx + wxAt(b, t, gate.wxIndex, n);
        for (int64_t j = 0; j < DH; ++j)
          xk[j] += w[j];
      }
      if (gate.bias) {
        const double *bb = bias + biasAt(gate.bIndex, n);
        for (int64_t j = 0; j < DH; ++j)
          xk[j] += bb[j];
      }
      if (gate.recurrent) {
        const double *rr = r + rAt(gate.rIndex, n);
        for (int64_t j = 0; j < DH; ++j) {
          const double *row = rr + j * DH;
          double acc = 0.0;
          for (int64_t i = 0; i < DH; ++i)
            acc += row[i] * h[i];
          rk[j] = acc;
        }
      }
      if (gate.recurrentBias) {
        const double *bb = bias + biasAt(gate.rbIndex, n);
        for (int64_t j = 0; j < DH; ++j)
          rk[j] += bb[j];
      }
    }
  }

  /// Fills the program's arguments for unit j.
  void args(int64_t j, const double *prev, const double *x, const double *rec,
            double *values) const {
    const Program &p = m.program;
    for (size_t a = 0; a < p.args.size(); ++a) {
      const ProgramArg &arg = p.args[a];
      switch (arg.kind) {
      case ArgKind::State:
        values[a] = prev[arg.index * DH + j];
        break;
      case ArgKind::Constant:
        values[a] = m.constants[arg.index].value;
        break;
      case ArgKind::Gate: {
        double xv = x[arg.index * DH + j], rv = rec[arg.index * DH + j];
        values[a] = arg.part == GatePart::Total
                        ? xv + rv
                        : (arg.part == GatePart::Input ? xv : rv);
        break;
      }
      case ArgKind::Adjoint: // only in the adjoint program
        values[a] = 0.0;
        break;
      }
    }
  }

  /// Loads the states before step t into prev[s*DH + j].
  void previous(int64_t b, int64_t t, int64_t n, const double *s0,
                const double *states, double *prev) const {
    for (int s = 0; s < S; ++s) {
      double *dst = prev + s * DH;
      if (t > 0) {
        const double *src = states + stateAt(s, b, t - 1, n);
        std::copy(src, src + DH, dst);
      } else if (s0) {
        const double *src = s0 + lastAt(s, b, n);
        std::copy(src, src + DH, dst);
      } else {
        std::fill(dst, dst + DH, m.states[s].init);
      }
    }
  }
};

} // namespace

void setReferenceThreads(unsigned threads) { configuredThreads = threads; }

bool referenceForward(const Manifest &m, const RunDims &d, const double *wx,
                      const double *r, const double *b, const double *s0,
                      double *states, double *last, std::string &error) {
  if (!checkDims(m, d, error))
    return false;
  Cell cell(m, d, wx, r, b);
  const int64_t DH = cell.DH;
  const int S = cell.S, G = cell.G;
  const Program &p = m.program;

  parallelFor(d.batch * d.heads, [&](int64_t task) {
    int64_t bi = task / d.heads, n = task % d.heads;
    std::vector<double> prev(size_t(S * DH)), x(size_t(G * DH)),
        rec(size_t(G * DH)), values(size_t(p.numValues()));
    for (int64_t t = 0; t < d.seq; ++t) {
      cell.previous(bi, t, n, s0, states, prev.data());
      cell.gates(bi, t, n, prev.data() + m.recurrentState * DH, x.data(),
                 rec.data());
      for (int64_t j = 0; j < DH; ++j) {
        cell.args(j, prev.data(), x.data(), rec.data(), values.data());
        evalProgram(p, values.data());
        for (int s = 0; s < S; ++s)
          states[cell.stateAt(s, bi, t, n) + j] = values[p.results[s]];
      }
    }
    for (int s = 0; s < S; ++s)
      std::copy(states + cell.stateAt(s, bi, d.seq - 1, n),
                states + cell.stateAt(s, bi, d.seq - 1, n) + DH,
                last + cell.lastAt(s, bi, n));
  });
  return true;
}

bool referenceBackward(const Manifest &m, const RunDims &d, const double *wx,
                       const double *r, const double *b, const double *s0,
                       const double *states, const double *dstates,
                       const double *dlast, double *dwx, double *dr,
                       double *db, double *ds0, std::string &error) {
  if (!checkDims(m, d, error))
    return false;
  TensorShapes shapes = TensorShapes::get(m, d);
  std::vector<double> ownStates;
  if (!states) {
    ownStates.resize(size_t(numElements(shapes.states)));
    std::vector<double> ownLast(size_t(numElements(shapes.last)));
    if (!referenceForward(m, d, wx, r, b, s0, ownStates.data(),
                          ownLast.data(), error))
      return false;
    states = ownStates.data();
  }

  Cell cell(m, d, wx, r, b);
  const int64_t DH = cell.DH;
  const int S = cell.S, G = cell.G;
  const Program &p = m.program;
  const size_t rSize = size_t(numElements(shapes.r));
  const size_t bSize = size_t(numElements(shapes.b));

  // dR and db sum over the batch. Each chunk of the batch accumulates into
  // its own buffer (tasks of one chunk touch disjoint heads), and the buffers
  // are summed in chunk order: the result is independent of thread count and
  // scheduling, while memory stays bounded (at most kMaxChunks copies).
  const int64_t kMaxChunks = 8;
  const int64_t chunks = std::min<int64_t>(d.batch, kMaxChunks);
  std::vector<std::vector<double>> drPart(static_cast<size_t>(chunks));
  std::vector<std::vector<double>> dbPart(static_cast<size_t>(chunks));
  for (int64_t c = 0; c < chunks; ++c) {
    drPart[c].assign(rSize, 0.0);
    dbPart[c].assign(bSize, 0.0);
  }
  std::fill(dwx, dwx + numElements(shapes.wx), 0.0);

  parallelFor(chunks * d.heads, [&](int64_t task) {
    int64_t c = task / d.heads, n = task % d.heads;
    int64_t bBegin = c * d.batch / chunks, bEnd = (c + 1) * d.batch / chunks;
    double *drc = drPart[c].data(), *dbc = dbPart[c].data();
    std::vector<double> prev(size_t(S * DH)), x(size_t(G * DH)),
        rec(size_t(G * DH)), dx(size_t(G * DH)), drec(size_t(G * DH)),
        dS(size_t(S * DH)), dPrev(size_t(S * DH)),
        values(size_t(p.numValues())), grads(size_t(p.numValues()));
    for (int64_t bi = bBegin; bi < bEnd; ++bi) {
      // dS: the gradient w.r.t. the states after step t (carried backwards).
      for (int s = 0; s < S; ++s)
        for (int64_t j = 0; j < DH; ++j)
          dS[s * DH + j] = dlast ? dlast[cell.lastAt(s, bi, n) + j] : 0.0;
      for (int64_t t = d.seq - 1; t >= 0; --t) {
        if (dstates)
          for (int s = 0; s < S; ++s)
            for (int64_t j = 0; j < DH; ++j)
              dS[s * DH + j] += dstates[cell.stateAt(s, bi, t, n) + j];
        // Recompute the step's forward from the saved states.
        cell.previous(bi, t, n, s0, states, prev.data());
        const double *h = prev.data() + m.recurrentState * DH;
        cell.gates(bi, t, n, h, x.data(), rec.data());
        std::fill(dx.begin(), dx.end(), 0.0);
        std::fill(drec.begin(), drec.end(), 0.0);
        std::fill(dPrev.begin(), dPrev.end(), 0.0);
        for (int64_t j = 0; j < DH; ++j) {
          cell.args(j, prev.data(), x.data(), rec.data(), values.data());
          evalProgram(p, values.data());
          std::fill(grads.begin(), grads.end(), 0.0);
          for (int s = 0; s < S; ++s)
            grads[p.results[s]] += dS[s * DH + j];
          backpropProgram(p, values.data(), grads.data());
          for (size_t a = 0; a < p.args.size(); ++a) {
            const ProgramArg &arg = p.args[a];
            double g = grads[a];
            if (arg.kind == ArgKind::State)
              dPrev[arg.index * DH + j] += g;
            else if (arg.kind == ArgKind::Gate) {
              if (arg.part != GatePart::Recurrent)
                dx[arg.index * DH + j] += g;
              if (arg.part != GatePart::Input)
                drec[arg.index * DH + j] += g;
            }
          }
        }
        // Through the gate pre-activations into Wx, b, R and h_{t-1}.
        double *dh = dPrev.data() + m.recurrentState * DH;
        for (int k = 0; k < G; ++k) {
          const GateInfo &gate = m.gates[k];
          const double *dxk = dx.data() + k * DH, *drk = drec.data() + k * DH;
          if (gate.input) {
            double *dw = dwx + cell.wxAt(bi, t, gate.wxIndex, n);
            for (int64_t j = 0; j < DH; ++j)
              dw[j] += dxk[j];
          }
          if (gate.bias) {
            double *dbb = dbc + cell.biasAt(gate.bIndex, n);
            for (int64_t j = 0; j < DH; ++j)
              dbb[j] += dxk[j];
          }
          if (gate.recurrentBias) {
            double *dbb = dbc + cell.biasAt(gate.rbIndex, n);
            for (int64_t j = 0; j < DH; ++j)
              dbb[j] += drk[j];
          }
          if (gate.recurrent) {
            const double *rr = r + cell.rAt(gate.rIndex, n);
            double *drr = drc + cell.rAt(gate.rIndex, n);
            for (int64_t j = 0; j < DH; ++j) {
              double g = drk[j];
              if (g == 0.0)
                continue;
              const double *row = rr + j * DH;
              double *drow = drr + j * DH;
              for (int64_t i = 0; i < DH; ++i) {
                drow[i] += g * h[i];
                dh[i] += g * row[i];
              }
            }
          }
        }
        dS.swap(dPrev);
      }
      for (int s = 0; s < S; ++s)
        std::copy(dS.begin() + s * DH, dS.begin() + (s + 1) * DH,
                  ds0 + cell.lastAt(s, bi, n));
    }
  });

  for (size_t i = 0; i < rSize; ++i) {
    double sum = 0.0;
    for (int64_t c = 0; c < chunks; ++c)
      sum += drPart[c][i];
    dr[i] = sum;
  }
  for (size_t i = 0; i < bSize; ++i) {
    double sum = 0.0;
    for (int64_t c = 0; c < chunks; ++c)
      sum += dbPart[c][i];
    db[i] = sum;
  }
  return true;
}

} // namespace flashrnn
