//===- Manifest.cpp - Kernel package manifest (docs/PACKAGE.md) -----------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Manifest.h"
#include "runtime/Json.h"

#include <cfloat>
#include <cmath>
#include <fstream>
#include <cstdio>
#include <sstream>

namespace flashrnn {

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::BF16:
    return "bf16";
  case DType::F16:
    return "f16";
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  }
  return "?";
}

/// Rounds to `precision` significant bits with the exponent not below
/// `minExp` (frexp convention, value = m * 2^e with m in [0.5, 1)), which
/// gives IEEE gradual underflow; overflow past `maxFinite` gives infinity.
/// Done directly from double so there is no double rounding via float.
static double roundToFormat(double x, int precision, int minExp,
                            double maxFinite) {
  if (!std::isfinite(x) || x == 0.0)
    return x;
  int e;
  std::frexp(x, &e);
  if (e < minExp)
    e = minExp;
  // nearbyint rounds half to even in the default rounding mode.
  double r = std::ldexp(std::nearbyint(std::ldexp(x, precision - e)),
                        e - precision);
  if (std::fabs(r) > maxFinite)
    return std::copysign(INFINITY, x);
  return r;
}

double roundToDType(double value, DType dtype) {
  switch (dtype) {
  case DType::BF16:
    return roundToFormat(value, 8, -125, 3.38953138925153547590470800371487866880e+38);
  case DType::F16:
    return roundToFormat(value, 11, -13, 65504.0);
  case DType::F32:
    return roundToFormat(value, 24, -125, double(FLT_MAX));
  case DType::F64:
    return value;
  }
  return value;
}

const char *opName(OpCode code) {
  switch (code) {
  case OpCode::Constant:
    return "arith.constant";
  case OpCode::AddF:
    return "arith.addf";
  case OpCode::SubF:
    return "arith.subf";
  case OpCode::MulF:
    return "arith.mulf";
  case OpCode::DivF:
    return "arith.divf";
  case OpCode::NegF:
    return "arith.negf";
  case OpCode::MaximumF:
    return "arith.maximumf";
  case OpCode::MinimumF:
    return "arith.minimumf";
  case OpCode::CmpF:
    return "arith.cmpf";
  case OpCode::Select:
    return "arith.select";
  case OpCode::Exp:
    return "math.exp";
  case OpCode::Log:
    return "math.log";
  case OpCode::Tanh:
    return "math.tanh";
  case OpCode::Sqrt:
    return "math.sqrt";
  case OpCode::Log1p:
    return "math.log1p";
  case OpCode::AbsF:
    return "math.absf";
  case OpCode::Sigmoid:
    return "flashrnn.sigmoid";
  case OpCode::LogSigmoid:
    return "flashrnn.logsigmoid";
  case OpCode::Softplus:
    return "flashrnn.softplus";
  case OpCode::StopGradient:
    return "flashrnn.stop_gradient";
  }
  return "?";
}

int opArity(OpCode code) {
  switch (code) {
  case OpCode::Constant:
    return 0;
  case OpCode::AddF:
  case OpCode::SubF:
  case OpCode::MulF:
  case OpCode::DivF:
  case OpCode::MaximumF:
  case OpCode::MinimumF:
  case OpCode::CmpF:
    return 2;
  case OpCode::Select:
    return 3;
  default:
    return 1;
  }
}

bool Manifest::usesStopGradient() const {
  for (const ProgramOp &op : program.ops)
    if (op.code == OpCode::StopGradient)
      return true;
  return false;
}

namespace {

const OpCode kAllOps[] = {
    OpCode::Constant, OpCode::AddF,       OpCode::SubF,     OpCode::MulF,
    OpCode::DivF,     OpCode::NegF,       OpCode::MaximumF, OpCode::MinimumF,
    OpCode::CmpF,     OpCode::Select,     OpCode::Exp,      OpCode::Log,
    OpCode::Tanh,     OpCode::Sqrt,       OpCode::Log1p,    OpCode::AbsF,
    OpCode::Sigmoid,  OpCode::LogSigmoid, OpCode::Softplus, OpCode::StopGradient};

struct PredicateName {
  const char *name;
  CmpPredicate predicate;
};
const PredicateName kPredicates[] = {
    {"false", CmpPredicate::False}, {"oeq", CmpPredicate::OEQ},
    {"ogt", CmpPredicate::OGT},     {"oge", CmpPredicate::OGE},
    {"olt", CmpPredicate::OLT},     {"ole", CmpPredicate::OLE},
    {"one", CmpPredicate::ONE},     {"ord", CmpPredicate::ORD},
    {"ueq", CmpPredicate::UEQ},     {"ugt", CmpPredicate::UGT},
    {"uge", CmpPredicate::UGE},     {"ult", CmpPredicate::ULT},
    {"ule", CmpPredicate::ULE},     {"une", CmpPredicate::UNE},
    {"uno", CmpPredicate::UNO},     {"true", CmpPredicate::True}};

/// Field-by-field reader that turns every problem into one message naming the
/// field path ("gates[2].wx_index") and where it is in the file.
class Reader {
public:
  explicit Reader(const std::string &what) : what(what) {}

  std::string error;

  bool fail(const std::string &field, const json::Value *at,
            const std::string &why) {
    error = json::fieldError(what, field, at, why);
    return false;
  }

  /// Looks up a member that must exist.
  bool member(const json::Value &object, const std::string &parent,
              const std::string &key, const json::Value *&out) {
    out = object.find(key);
    if (!out)
      return fail(join(parent, key), &object, "missing");
    return true;
  }

  bool getInt(const json::Value &object, const std::string &parent,
              const std::string &key, int64_t minValue, int64_t maxValue,
              int64_t &out) {
    const json::Value *v;
    if (!member(object, parent, key, v))
      return false;
    return toInt(*v, join(parent, key), minValue, maxValue, out);
  }

  bool toInt(const json::Value &v, const std::string &field, int64_t minValue,
             int64_t maxValue, int64_t &out) {
    if (!v.isNumber() || !v.isIntegerLiteral())
      return fail(field, &v,
                  std::string("expected an integer, got ") + describe(v));
    double d = v.getNumber();
    if (d < double(minValue) || d > double(maxValue))
      return fail(field, &v,
                  "expected an integer in [" + std::to_string(minValue) +
                      ", " + std::to_string(maxValue) + "], got " +
                      describe(v));
    out = int64_t(d);
    return true;
  }

  bool getInt32(const json::Value &object, const std::string &parent,
                const std::string &key, int64_t minValue, int64_t maxValue,
                int &out) {
    int64_t v;
    if (!getInt(object, parent, key, minValue, maxValue, v))
      return false;
    out = int(v);
    return true;
  }

  bool getNumber(const json::Value &object, const std::string &parent,
                 const std::string &key, double &out) {
    const json::Value *v;
    if (!member(object, parent, key, v))
      return false;
    if (!v->isNumber())
      return fail(join(parent, key), v,
                  std::string("expected a number, got ") + describe(*v));
    out = v->getNumber();
    return true;
  }

  bool getString(const json::Value &object, const std::string &parent,
                 const std::string &key, std::string &out) {
    const json::Value *v;
    if (!member(object, parent, key, v))
      return false;
    if (!v->isString())
      return fail(join(parent, key), v,
                  std::string("expected a string, got ") + describe(*v));
    out = v->getString();
    return true;
  }

  bool getBool(const json::Value &object, const std::string &parent,
               const std::string &key, bool &out) {
    const json::Value *v;
    if (!member(object, parent, key, v))
      return false;
    if (!v->isBool())
      return fail(join(parent, key), v,
                  std::string("expected true or false, got ") + describe(*v));
    out = v->getBool();
    return true;
  }

  bool getArray(const json::Value &object, const std::string &parent,
                const std::string &key, const json::Value *&out) {
    if (!member(object, parent, key, out))
      return false;
    if (!out->isArray())
      return fail(join(parent, key), out,
                  std::string("expected an array, got ") + describe(*out));
    return true;
  }

  bool expectObject(const json::Value &v, const std::string &field) {
    if (!v.isObject())
      return fail(field, &v,
                  std::string("expected an object, got ") + describe(v));
    return true;
  }

  static std::string join(const std::string &parent, const std::string &key) {
    return parent.empty() ? key : parent + "." + key;
  }
  static std::string index(const std::string &parent, size_t i) {
    return parent + "[" + std::to_string(i) + "]";
  }

  static std::string describe(const json::Value &v) {
    return json::describe(v);
  }

private:
  std::string what;
};

bool readGates(Reader &rd, const json::Value &root, Manifest &m) {
  const json::Value *gates;
  if (!rd.getArray(root, "", "gates", gates))
    return false;
  if (gates->getArray().empty())
    return rd.fail("gates", gates, "a cell needs at least one gate");
  for (size_t k = 0; k < gates->getArray().size(); ++k) {
    const json::Value &g = gates->getArray()[k];
    std::string f = Reader::index("gates", k);
    if (!rd.expectObject(g, f))
      return false;
    GateInfo gate;
    if (!rd.getString(g, f, "name", gate.name) ||
        !rd.getBool(g, f, "recurrent", gate.recurrent) ||
        !rd.getBool(g, f, "input", gate.input) ||
        !rd.getBool(g, f, "bias", gate.bias) ||
        !rd.getBool(g, f, "split", gate.split) ||
        !rd.getBool(g, f, "recurrent_bias", gate.recurrentBias))
      return false;
    // Each row index is -1 exactly when the gate lacks that part, and else a
    // row of the tensor.
    struct Row {
      const char *key;
      bool present;
      int count;
      const char *tensor;
      int *out;
    } rows[] = {{"wx_index", gate.input, m.wxGates, "wx_gates", &gate.wxIndex},
                {"r_index", gate.recurrent, m.rGates, "r_gates", &gate.rIndex},
                {"b_index", gate.bias, m.bGates, "b_gates", &gate.bIndex},
                {"rb_index", gate.recurrentBias, m.bGates, "b_gates",
                 &gate.rbIndex}};
    for (Row &row : rows) {
      const json::Value *v;
      if (!rd.member(g, f, row.key, v))
        return false;
      int64_t idx;
      if (row.present) {
        if (!rd.toInt(*v, Reader::join(f, row.key), 0, row.count - 1, idx))
          return false;
      } else if (!rd.toInt(*v, Reader::join(f, row.key), -1, -1, idx)) {
        rd.error += std::string(" (the gate has no such part, so it must be "
                                "-1; counts.") +
                    row.tensor + " bounds the others)";
        return false;
      }
      *row.out = int(idx);
    }
    if (gate.recurrentBias && !gate.recurrent)
      return rd.fail(Reader::join(f, "recurrent_bias"), &g,
                     "a recurrent bias needs a recurrent part");
    m.gates.push_back(gate);
  }
  return true;
}

bool readStatesAndConstants(Reader &rd, const json::Value &root, Manifest &m) {
  const json::Value *states;
  if (!rd.getArray(root, "", "states", states))
    return false;
  if (int(states->getArray().size()) != m.numStates)
    return rd.fail("states", states,
                   "has " + std::to_string(states->getArray().size()) +
                       " entries but counts.states is " +
                       std::to_string(m.numStates));
  for (size_t s = 0; s < states->getArray().size(); ++s) {
    const json::Value &v = states->getArray()[s];
    std::string f = Reader::index("states", s);
    StateInfo state;
    if (!rd.expectObject(v, f) || !rd.getString(v, f, "name", state.name) ||
        !rd.getNumber(v, f, "init", state.init))
      return false;
    m.states.push_back(state);
  }
  if (!rd.getInt32(root, "", "recurrent_state", 0, m.numStates - 1,
                   m.recurrentState))
    return false;

  // Constants are optional: a cell without any may omit the list.
  if (const json::Value *consts = root.find("constants")) {
    if (!consts->isArray())
      return rd.fail("constants", consts, "expected an array");
    for (size_t c = 0; c < consts->getArray().size(); ++c) {
      const json::Value &v = consts->getArray()[c];
      std::string f = Reader::index("constants", c);
      ConstantInfo constant;
      if (!rd.expectObject(v, f) || !rd.getString(v, f, "name", constant.name) ||
          !rd.getNumber(v, f, "value", constant.value))
        return false;
      m.constants.push_back(constant);
    }
  }
  return true;
}

/// Reads the program `name` ("program", or "adjoint_program" whose args may
/// also be the adjoints of the new states, {"kind":"adjoint"}) into `p`;
/// it must have `numResults` results.
bool readProgram(Reader &rd, const json::Value &root, Manifest &m,
                 const std::string &name, Program &p, bool adjoint,
                 int numResults) {
  const json::Value *prog;
  if (!rd.member(root, "", name, prog) || !rd.expectObject(*prog, name))
    return false;

  const json::Value *args;
  if (!rd.getArray(*prog, name, "args", args))
    return false;
  for (size_t a = 0; a < args->getArray().size(); ++a) {
    const json::Value &v = args->getArray()[a];
    std::string f = Reader::index(name + ".args", a);
    if (!rd.expectObject(v, f))
      return false;
    std::string kind;
    ProgramArg arg;
    if (!rd.getString(v, f, "kind", kind))
      return false;
    int limit;
    if (kind == "state") {
      arg.kind = ArgKind::State;
      limit = m.numStates;
    } else if (kind == "gate") {
      arg.kind = ArgKind::Gate;
      limit = int(m.gates.size());
    } else if (kind == "constant") {
      arg.kind = ArgKind::Constant;
      limit = int(m.constants.size());
    } else if (adjoint && kind == "adjoint") {
      arg.kind = ArgKind::Adjoint;
      limit = m.numStates;
    } else {
      return rd.fail(Reader::join(f, "kind"), v.find("kind"),
                     "expected \"state\", \"gate\" or \"constant\", got \"" +
                         kind + "\"");
    }
    if (limit == 0)
      return rd.fail(Reader::join(f, "index"), &v,
                     "the manifest declares no " + kind + "s");
    if (!rd.getInt32(v, f, "index", 0, limit - 1, arg.index))
      return false;
    if (arg.kind == ArgKind::Gate) {
      std::string part;
      if (!rd.getString(v, f, "part", part))
        return false;
      const GateInfo &gate = m.gates[arg.index];
      if (part == "total")
        arg.part = GatePart::Total;
      else if (part == "input")
        arg.part = GatePart::Input;
      else if (part == "recurrent")
        arg.part = GatePart::Recurrent;
      else
        return rd.fail(Reader::join(f, "part"), v.find("part"),
                       "expected \"total\", \"input\" or \"recurrent\", got \"" +
                           part + "\"");
      if (gate.split == (arg.part == GatePart::Total))
        return rd.fail(Reader::join(f, "part"), v.find("part"),
                       "gate '" + gate.name + "' is " +
                           (gate.split ? "split, so its parts are \"input\" "
                                         "and \"recurrent\""
                                       : "not split, so its part is \"total\""));
    }
    p.args.push_back(arg);
  }
  p.isI1.assign(p.args.size(), false);

  const json::Value *ops;
  if (!rd.getArray(*prog, name, "ops", ops))
    return false;
  for (size_t i = 0; i < ops->getArray().size(); ++i) {
    const json::Value &v = ops->getArray()[i];
    std::string f = Reader::index(name + ".ops", i);
    if (!rd.expectObject(v, f))
      return false;
    ProgramOp op;
    std::string name;
    if (!rd.getString(v, f, "op", name))
      return false;
    bool known = false;
    for (OpCode code : kAllOps)
      if (name == opName(code)) {
        op.code = code;
        known = true;
      }
    if (!known)
      return rd.fail(Reader::join(f, "op"), v.find("op"),
                     "unknown op \"" + name +
                         "\" (docs/PACKAGE.md lists the ops the runtime "
                         "executes)");
    const json::Value *operands;
    if (!rd.getArray(v, f, "operands", operands))
      return false;
    int arity = opArity(op.code);
    if (int(operands->getArray().size()) != arity)
      return rd.fail(Reader::join(f, "operands"), operands,
                     name + " takes " + std::to_string(arity) +
                         " operand(s), got " +
                         std::to_string(operands->getArray().size()));
    // SSA: an op may only use values defined before it.
    int self = int(p.args.size() + i);
    for (size_t o = 0; o < operands->getArray().size(); ++o) {
      int64_t idx;
      std::string of = Reader::index(Reader::join(f, "operands"), o);
      if (self == 0)
        return rd.fail(of, &operands->getArray()[o],
                       "no value is defined before this op");
      if (!rd.toInt(operands->getArray()[o], of, 0, self - 1, idx))
        return false;
      // Only arith.select's condition is an i1; every other operand is a
      // float. Catching this here keeps the evaluator free of type checks.
      bool wantI1 = op.code == OpCode::Select && o == 0;
      if (p.isI1[idx] != wantI1)
        return rd.fail(of, &operands->getArray()[o],
                       "value " + std::to_string(idx) + " is " +
                           (p.isI1[idx] ? "an i1 (arith.cmpf result)"
                                        : "a float") +
                           " but " + name + " expects " +
                           (wantI1 ? "an i1 here" : "a float here"));
      op.operands.push_back(int(idx));
    }
    if (op.code == OpCode::Constant &&
        !rd.getNumber(v, f, "value", op.value))
      return false;
    if (op.code == OpCode::CmpF) {
      std::string pred;
      if (!rd.getString(v, f, "predicate", pred))
        return false;
      bool found = false;
      for (const PredicateName &pn : kPredicates)
        if (pred == pn.name) {
          op.predicate = pn.predicate;
          found = true;
        }
      if (!found)
        return rd.fail(Reader::join(f, "predicate"), v.find("predicate"),
                       "unknown arith.cmpf predicate \"" + pred + "\"");
    }
    p.ops.push_back(op);
    p.isI1.push_back(op.code == OpCode::CmpF);
  }

  const json::Value *results;
  if (!rd.getArray(*prog, name, "results", results))
    return false;
  if (int(results->getArray().size()) != numResults)
    return rd.fail(name + ".results", results,
                   "has " + std::to_string(results->getArray().size()) +
                       " values but " + std::to_string(numResults) +
                       " are expected (" +
                       (adjoint ? "one per state and per gate value"
                                : "one per state") +
                       ")");
  for (size_t r = 0; r < results->getArray().size(); ++r) {
    int64_t idx;
    std::string f = Reader::index(name + ".results", r);
    if (!rd.toInt(results->getArray()[r], f, 0, p.numValues() - 1, idx))
      return false;
    if (p.isI1[idx])
      return rd.fail(f, &results->getArray()[r],
                     "value " + std::to_string(idx) +
                         " is an i1; a state must be a float");
    p.results.push_back(int(idx));
  }
  return true;
}

} // namespace

bool parseManifest(const std::string &text, const std::string &what,
                   Manifest &m, std::string &error) {
  m = Manifest();
  json::Value root;
  std::string jsonError;
  if (!json::parse(text, root, jsonError)) {
    error = what + ": invalid JSON: " + jsonError;
    return false;
  }
  Reader rd(what);
  auto failed = [&]() {
    error = rd.error;
    return false;
  };
  if (!root.isObject()) {
    error = what + ": expected a JSON object at the top level";
    return false;
  }
  if (!rd.getString(root, "", "format", m.format))
    return failed();
  if (m.format != kPackageFormat) {
    rd.fail("format", root.find("format"),
            "expected \"" + std::string(kPackageFormat) + "\", got \"" +
                m.format + "\" (not a FlashRNN kernel package)");
    return failed();
  }
  const json::Value *version;
  if (!rd.member(root, "", "version", version))
    return failed();
  if (!version->isNumber() || !version->isIntegerLiteral() ||
      version->getNumber() != kPackageVersion) {
    rd.fail("version", version,
            "this runtime reads package version " +
                std::to_string(kPackageVersion) + ", got " +
                Reader::describe(*version) +
                " (rebuild the package with a matching compiler)");
    return failed();
  }
  m.version = kPackageVersion;
  std::string dtype;
  if (!rd.getString(root, "", "cell", m.cell) ||
      !rd.getString(root, "", "dtype", dtype))
    return failed();
  if (dtype == "bf16")
    m.dtype = DType::BF16;
  else if (dtype == "f16")
    m.dtype = DType::F16;
  else if (dtype == "f32")
    m.dtype = DType::F32;
  else if (dtype == "f64")
    m.dtype = DType::F64;
  else {
    rd.fail("dtype", root.find("dtype"),
            "expected \"bf16\", \"f16\", \"f32\" or \"f64\", got \"" + dtype +
                "\"");
    return failed();
  }
  // 1 << 16 is far beyond any head that fits a GPU; it bounds DH*DH sizes.
  if (!rd.getInt(root, "", "head_dim", 1, 1 << 16, m.headDim))
    return failed();
  const json::Value *counts;
  if (!rd.member(root, "", "counts", counts) ||
      !rd.expectObject(*counts, "counts") ||
      !rd.getInt32(*counts, "counts", "wx_gates", 0, 1024, m.wxGates) ||
      !rd.getInt32(*counts, "counts", "r_gates", 0, 1024, m.rGates) ||
      !rd.getInt32(*counts, "counts", "b_gates", 0, 1024, m.bGates) ||
      !rd.getInt32(*counts, "counts", "states", 1, 1024, m.numStates))
    return failed();
  if (!readGates(rd, root, m) || !readStatesAndConstants(rd, root, m) ||
      !readProgram(rd, root, m, "program", m.program, /*adjoint=*/false,
                   m.numStates))
    return failed();
  if (root.find("adjoint_program")) {
    int gateValues = 0;
    for (const ProgramArg &a : m.program.args)
      gateValues += a.kind == ArgKind::Gate;
    if (!readProgram(rd, root, m, "adjoint_program", m.adjointProgram,
                     /*adjoint=*/true, m.numStates + gateValues))
      return failed();
    m.hasAdjointProgram = true;
  }

  // The GPU kernels (docs/PACKAGE.md, "Kernels"). The CPU reference needs
  // none of it; only the PTX file names are kept here, the launch contract is
  // read by the GPU backend.
  if (const json::Value *kernels = root.find("kernels")) {
    if (!kernels->isArray()) {
      rd.fail("kernels", kernels, "expected an array");
      return failed();
    }
    for (size_t i = 0; i < kernels->getArray().size(); ++i) {
      const json::Value &k = kernels->getArray()[i];
      std::string f = Reader::index("kernels", i), ptx;
      if (!rd.expectObject(k, f) || !rd.getString(k, f, "ptx", ptx))
        return failed();
      m.kernels.push_back(ptx);
    }
  }
  return true;
}

bool loadManifest(const std::string &packageDir, Manifest &manifest,
                  std::string &error) {
  std::string path = packageDir + "/manifest.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open (is '" + packageDir +
            "' a FlashRNN package directory?)";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    error = path + ": read error";
    return false;
  }
  return parseManifest(text.str(), path, manifest, error);
}

} // namespace flashrnn
