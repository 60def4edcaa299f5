//===- Manifest.h - Kernel package manifest (docs/PACKAGE.md) ----*- C++ -*-===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//
//
// The in-memory form of a package's manifest.json. loadManifest() validates
// everything that later code relies on (indices in range, operand counts, i1
// vs float operands), so the CPU reference and the GPU launcher never have to
// re-check: a Manifest that loaded is well formed.
//
//===----------------------------------------------------------------------===//

#ifndef FLASHRNN_RUNTIME_MANIFEST_H
#define FLASHRNN_RUNTIME_MANIFEST_H

#include <cstdint>
#include <string>
#include <vector>

namespace flashrnn {

/// The package format version this runtime implements.
constexpr int kPackageVersion = 1;
constexpr const char *kPackageFormat = "flashrnn-package";

enum class DType { BF16, F16, F32, F64 };

const char *dtypeName(DType dtype);
/// Rounds `value` to the nearest value representable in `dtype` (RNE).
double roundToDType(double value, DType dtype);

struct GateInfo {
  std::string name;
  bool recurrent = false, input = false, bias = false, split = false,
       recurrentBias = false;
  int wxIndex = -1, rIndex = -1, bIndex = -1, rbIndex = -1;
};

struct StateInfo {
  std::string name;
  double init = 0.0;
};

struct ConstantInfo {
  std::string name;
  double value = 0.0;
};

/// A program argument: a previous state, a gate value, a constant, or (in
/// the adjoint program only) the adjoint of a new state.
enum class ArgKind { State, Gate, Constant, Adjoint };
enum class GatePart { Total, Input, Recurrent };

struct ProgramArg {
  ArgKind kind = ArgKind::State;
  int index = 0;
  GatePart part = GatePart::Total; // gates only
};

enum class OpCode {
  Constant,
  AddF,
  SubF,
  MulF,
  DivF,
  NegF,
  MaximumF,
  MinimumF,
  CmpF,
  Select,
  Exp,
  Log,
  Tanh,
  Sqrt,
  Log1p,
  AbsF,
  Sigmoid,
  LogSigmoid,
  Softplus,
  StopGradient,
};

enum class CmpPredicate {
  False,
  OEQ,
  OGT,
  OGE,
  OLT,
  OLE,
  ONE,
  ORD,
  UEQ,
  UGT,
  UGE,
  ULT,
  ULE,
  UNE,
  UNO,
  True,
};

/// Name of the op as it appears in manifests ("arith.addf").
const char *opName(OpCode code);
/// Number of operands the op takes.
int opArity(OpCode code);

struct ProgramOp {
  OpCode code = OpCode::Constant;
  std::vector<int> operands;
  double value = 0.0;                            // arith.constant
  CmpPredicate predicate = CmpPredicate::False; // arith.cmpf
};

/// The per-element straight-line program. Value v < args.size() is args[v];
/// value args.size()+i is ops[i]'s result.
struct Program {
  std::vector<ProgramArg> args;
  std::vector<ProgramOp> ops;
  std::vector<int> results;
  /// Per value: true if it is an i1 (the result of arith.cmpf). Filled by the
  /// validator.
  std::vector<bool> isI1;

  int numValues() const { return int(args.size() + ops.size()); }
};

struct Manifest {
  std::string format;
  int version = 0;
  std::string cell;
  DType dtype = DType::F32;
  int64_t headDim = 0;
  int wxGates = 0, rGates = 0, bGates = 0, numStates = 0;
  std::vector<GateInfo> gates;
  std::vector<StateInfo> states;
  int recurrentState = 0;
  std::vector<ConstantInfo> constants;
  Program program;
  /// The compiler-derived adjoint of `program` (docs/PACKAGE.md), if the
  /// package has one: args are program's args then one adjoint per state;
  /// results are the states' then the gate values' gradients.
  bool hasAdjointProgram = false;
  Program adjointProgram;
  /// The `ptx` file of each entry of `kernels` (empty: a CPU-only package).
  std::vector<std::string> kernels;

  bool usesStopGradient() const;
};

/// Parses and validates manifest text. `what` names the source in messages.
bool parseManifest(const std::string &text, const std::string &what,
                   Manifest &manifest, std::string &error);

/// Reads DIR/manifest.json and validates it.
bool loadManifest(const std::string &packageDir, Manifest &manifest,
                  std::string &error);

} // namespace flashrnn

#endif // FLASHRNN_RUNTIME_MANIFEST_H
