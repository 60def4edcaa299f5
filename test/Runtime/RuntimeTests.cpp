//===- RuntimeTests.cpp - Unit tests of the FlashRNN runtime --------------===//
//
// Part of FlashRNN-MLIR, the runtime's tests.
//
//===----------------------------------------------------------------------===//
//
// GoogleTest: JSON errors, manifest rejection, .npy round trips and bad files,
// bf16/f16 conversions, the derivative rule of every program op against
// finite differences, and properties of the time loop.
//
//===----------------------------------------------------------------------===//

#include "flashrnn/runtime.h"

#include "runtime/Half.h"
#include "runtime/Json.h"
#include "runtime/Manifest.h"
#include "runtime/Npy.h"
#include "runtime/Random.h"
#include "runtime/Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>

using namespace flashrnn;

namespace {

::testing::AssertionResult contains(const std::string &text,
                                    const std::string &needle) {
  if (text.find(needle) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "'" << text << "' does not contain '" << needle << "'";
}

std::string tempPath(const std::string &name) {
  const char *dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/flashrnn-runtime-tests-" +
         std::to_string(getpid()) + "-" + name;
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

TEST(Json, ParsesValues) {
  json::Value v;
  std::string err;
  ASSERT_TRUE(json::parse(
      R"({"a": [1, -2.5e3, true, null], "b": {"c": "x\u00e9\n"}})", v, err))
      << err;
  ASSERT_TRUE(v.isObject());
  const json::Value *a = v.find("a");
  ASSERT_TRUE(a && a->isArray());
  EXPECT_EQ(a->getArray().size(), 4u);
  EXPECT_TRUE(a->getArray()[0].isIntegerLiteral());
  EXPECT_EQ(a->getArray()[1].getNumber(), -2500.0);
  EXPECT_FALSE(a->getArray()[1].isIntegerLiteral());
  EXPECT_EQ(v.find("b")->find("c")->getString(), "x\xc3\xa9\n");
}

TEST(Json, ErrorsHaveLineAndColumn) {
  json::Value v;
  std::string err;
  EXPECT_FALSE(json::parse("{\"a\": 1,\n  \"b\": }", v, err));
  EXPECT_TRUE(contains(err, "line 2, column 8")) << err;
  EXPECT_FALSE(json::parse("[1, 2,]", v, err));
  EXPECT_TRUE(contains(err, "line 1, column 7")) << err;
  EXPECT_FALSE(json::parse("{\"a\": 1, \"a\": 2}", v, err));
  EXPECT_TRUE(contains(err, "duplicate key \"a\"")) << err;
  EXPECT_FALSE(json::parse("\"abc", v, err));
  EXPECT_TRUE(contains(err, "unterminated string")) << err;
  EXPECT_FALSE(json::parse("{} x", v, err));
  EXPECT_TRUE(contains(err, "after the JSON value")) << err;
  EXPECT_FALSE(json::parse("01", v, err));
  EXPECT_TRUE(contains(err, "leading zeros")) << err;
  EXPECT_FALSE(json::parse("1e999", v, err));
  EXPECT_TRUE(contains(err, "out of range")) << err;
  EXPECT_FALSE(json::parse("", v, err));
  EXPECT_TRUE(contains(err, "unexpected end of input")) << err;
  EXPECT_FALSE(json::parse(std::string(100, '['), v, err));
  EXPECT_TRUE(contains(err, "nesting")) << err;
}

//===----------------------------------------------------------------------===//
// Manifest
//===----------------------------------------------------------------------===//

/// An Elman cell, h' = tanh(g); the tests break one field at a time.
const char *kElman = R"({
  "format": "flashrnn-package", "version": 1, "cell": "elman",
  "dtype": "bf16", "head_dim": 4,
  "counts": {"wx_gates": 1, "r_gates": 1, "b_gates": 1, "states": 1},
  "gates": [{"name": "g", "recurrent": true, "input": true, "bias": true,
             "split": false, "recurrent_bias": false, "wx_index": 0,
             "r_index": 0, "b_index": 0, "rb_index": -1}],
  "states": [{"name": "h", "init": 0.0}],
  "recurrent_state": 0,
  "constants": [],
  "program": {"args": [{"kind": "state", "index": 0},
                       {"kind": "gate", "index": 0, "part": "total"}],
              "ops": [{"op": "math.tanh", "operands": [1]}],
              "results": [2]}
})";

std::string replaced(const std::string &from, const std::string &to) {
  std::string s = kElman;
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos)
    s.replace(pos, from.size(), to);
  return s;
}

std::string manifestError(const std::string &text) {
  Manifest m;
  std::string err;
  EXPECT_FALSE(parseManifest(text, "manifest.json", m, err));
  return err;
}

TEST(Manifest, AcceptsElman) {
  Manifest m;
  std::string err;
  ASSERT_TRUE(parseManifest(kElman, "manifest.json", m, err)) << err;
  EXPECT_EQ(m.cell, "elman");
  EXPECT_EQ(m.dtype, DType::BF16);
  EXPECT_EQ(m.headDim, 4);
  EXPECT_EQ(m.program.ops.size(), 1u);
  EXPECT_EQ(m.program.ops[0].code, OpCode::Tanh);
}

TEST(Manifest, RejectsWrongVersion) {
  std::string err = manifestError(replaced("\"version\": 1", "\"version\": 2"));
  EXPECT_TRUE(contains(err, "field 'version'")) << err;
  EXPECT_TRUE(contains(err, "reads package version 1, got 2")) << err;
}

TEST(Manifest, RejectsWrongFormat) {
  std::string err = manifestError(
      replaced("\"flashrnn-package\"", "\"something-else\""));
  EXPECT_TRUE(contains(err, "field 'format'")) << err;
}

TEST(Manifest, RejectsMissingField) {
  std::string err =
      manifestError(replaced("\"head_dim\": 4,", ""));
  EXPECT_TRUE(contains(err, "field 'head_dim'")) << err;
  EXPECT_TRUE(contains(err, "missing")) << err;
  err = manifestError(replaced("\"wx_gates\": 1, ", ""));
  EXPECT_TRUE(contains(err, "field 'counts.wx_gates'")) << err;
}

TEST(Manifest, RejectsMalformedFields) {
  std::string err = manifestError(replaced("\"bf16\"", "\"f8\""));
  EXPECT_TRUE(contains(err, "field 'dtype'")) << err;
  err = manifestError(replaced("\"head_dim\": 4", "\"head_dim\": 4.5"));
  EXPECT_TRUE(contains(err, "field 'head_dim'")) << err;
  err = manifestError(replaced("\"wx_index\": 0", "\"wx_index\": 1"));
  EXPECT_TRUE(contains(err, "field 'gates[0].wx_index'")) << err;
  err = manifestError(replaced("\"rb_index\": -1", "\"rb_index\": 0"));
  EXPECT_TRUE(contains(err, "field 'gates[0].rb_index'")) << err;
  err = manifestError(replaced("\"part\": \"total\"", "\"part\": \"input\""));
  EXPECT_TRUE(contains(err, "field 'program.args[1].part'")) << err;
  err = manifestError(replaced("{\"kind\": \"state\", \"index\": 0}",
                               "{\"kind\": \"state\", \"index\": 1}"));
  EXPECT_TRUE(contains(err, "field 'program.args[0].index'")) << err;
  err = manifestError(replaced("\"recurrent_state\": 0",
                               "\"recurrent_state\": 3"));
  EXPECT_TRUE(contains(err, "field 'recurrent_state'")) << err;
  err = manifestError(replaced("\"format\"", "\"format\" 1"));
  EXPECT_TRUE(contains(err, "invalid JSON: line 2")) << err;
}

TEST(Manifest, RejectsOutOfRangeValueIndex) {
  std::string err = manifestError(replaced("\"results\": [2]",
                                           "\"results\": [3]"));
  EXPECT_TRUE(contains(err, "field 'program.results[0]'")) << err;
  // An op may only use values defined before it (SSA).
  err = manifestError(replaced("\"operands\": [1]", "\"operands\": [2]"));
  EXPECT_TRUE(contains(err, "field 'program.ops[0].operands[0]'")) << err;
  EXPECT_TRUE(contains(err, "[0, 1], got 2")) << err;
}

TEST(Manifest, RejectsUnknownOpAndBadArity) {
  std::string err = manifestError(replaced("math.tanh", "math.cosh"));
  EXPECT_TRUE(contains(err, "field 'program.ops[0].op'")) << err;
  EXPECT_TRUE(contains(err, "unknown op \"math.cosh\"")) << err;
  err = manifestError(replaced("\"operands\": [1]", "\"operands\": [0, 1]"));
  EXPECT_TRUE(contains(err, "math.tanh takes 1 operand(s), got 2")) << err;
  err = manifestError(replaced(
      "{\"op\": \"math.tanh\", \"operands\": [1]}",
      "{\"op\": \"arith.cmpf\", \"operands\": [0, 1], \"predicate\": \"lt\"}"));
  EXPECT_TRUE(contains(err, "unknown arith.cmpf predicate \"lt\"")) << err;
  // An i1 cannot become a state.
  err = manifestError(replaced(
      "{\"op\": \"math.tanh\", \"operands\": [1]}",
      "{\"op\": \"arith.cmpf\", \"operands\": [0, 1], \"predicate\": \"olt\"}"));
  EXPECT_TRUE(contains(err, "is an i1; a state must be a float")) << err;
}

TEST(Manifest, ReadsKernelList) {
  Manifest m;
  std::string err;
  ASSERT_TRUE(parseManifest(
      replaced("\"constants\": [],",
               "\"constants\": [], \"kernels\": [{\"kind\": \"forward\", "
               "\"entry\": \"elman_forward\", \"ptx\": \"forward.ptx\"}],"),
      "manifest.json", m, err))
      << err;
  EXPECT_EQ(m.kernels, std::vector<std::string>{"forward.ptx"});
  err = manifestError(replaced("\"constants\": [],",
                               "\"constants\": [], \"kernels\": [{}],"));
  EXPECT_TRUE(contains(err, "field 'kernels[0].ptx'")) << err;
}

TEST(Manifest, LoadReportsMissingPackage) {
  Manifest m;
  std::string err;
  EXPECT_FALSE(loadManifest("/nonexistent/pkg", m, err));
  EXPECT_TRUE(contains(err, "/nonexistent/pkg/manifest.json: cannot open"));
}

TEST(Manifest, LoadsTheTestPackages) {
  for (const char *cell : {"lstm", "gru", "slstm", "elman"}) {
    Manifest m;
    std::string err;
    EXPECT_TRUE(loadManifest(std::string(FLASHRNN_RUNTIME_INPUTS) + "/" + cell,
                             m, err))
        << err;
  }
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

TEST(Npy, RoundTripsEveryType) {
  for (NpyType type : {NpyType::F16, NpyType::F32, NpyType::F64,
                       NpyType::U16}) {
    for (std::vector<int64_t> shape :
         {std::vector<int64_t>{}, {5}, {2, 3}, {2, 1, 3, 1, 2}, {0, 4}}) {
      NpyArray a;
      a.type = type;
      a.shape = shape;
      a.data.resize(size_t(a.numElements()) * npyTypeSize(type));
      for (size_t i = 0; i < a.data.size(); ++i)
        a.data[i] = uint8_t(i * 37 + 11);
      std::string path = tempPath("rt.npy"), err;
      ASSERT_TRUE(writeNpy(path, a, err)) << err;
      NpyArray b;
      ASSERT_TRUE(readNpy(path, b, err)) << err;
      EXPECT_EQ(b.type, type);
      EXPECT_EQ(b.shape, shape);
      EXPECT_EQ(b.data, a.data);
      // NumPy aligns the data to 64 bytes.
      std::ifstream in(path, std::ios::binary | std::ios::ate);
      EXPECT_EQ((size_t(in.tellg()) - a.data.size()) % 64, 0u);
      std::remove(path.c_str());
    }
  }
}

TEST(Npy, ConvertsToDouble) {
  NpyArray a;
  a.type = NpyType::F16;
  a.shape = {2};
  uint16_t h[2] = {0x3c00, 0xc000}; // 1.0, -2.0
  a.data.resize(4);
  std::memcpy(a.data.data(), h, 4);
  std::vector<double> d;
  npyToDouble(a, d);
  EXPECT_EQ(d, (std::vector<double>{1.0, -2.0}));
  a.type = NpyType::U16;
  uint16_t bf[2] = {0x3f80, 0x4040}; // 1.0, 3.0
  std::memcpy(a.data.data(), bf, 4);
  npyToDouble(a, d);
  EXPECT_EQ(d, (std::vector<double>{1.0, 3.0}));
}

std::string writeRaw(const std::string &name, const std::string &bytes) {
  std::string path = tempPath(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string npyHeader(const std::string &dict) {
  std::string d = dict;
  while ((10 + d.size() + 1) % 64)
    d += ' ';
  d += '\n';
  std::string h = "\x93NUMPY";
  h += char(1);
  h += char(0);
  h += char(d.size() & 0xff);
  h += char(d.size() >> 8);
  return h + d;
}

std::string npyError(const std::string &bytes) {
  std::string path = writeRaw("bad.npy", bytes), err;
  NpyArray a;
  EXPECT_FALSE(readNpy(path, a, err));
  std::remove(path.c_str());
  EXPECT_TRUE(contains(err, path)) << err;
  return err;
}

TEST(Npy, RejectsBadFiles) {
  std::string ok = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_TRUE(contains(npyError("hello"), "too short"));
  EXPECT_TRUE(contains(npyError("NOTNUMPYxxxxxxxx"), "magic"));
  EXPECT_TRUE(contains(npyError(npyHeader(ok) + std::string(40, 'x')),
                       "truncated data: shape [2, 3] needs 48 bytes"));
  EXPECT_TRUE(contains(npyError(npyHeader(ok) + std::string(49, 'x')),
                       "trailing bytes"));
  EXPECT_TRUE(contains(
      npyError(npyHeader("{'descr': '>f8', 'fortran_order': False, "
                         "'shape': (2,), }") +
               std::string(16, 'x')),
      "unsupported dtype '>f8'"));
  EXPECT_TRUE(contains(
      npyError(npyHeader("{'descr': '<i4', 'fortran_order': False, "
                         "'shape': (2,), }") +
               std::string(8, 'x')),
      "unsupported dtype '<i4'"));
  EXPECT_TRUE(contains(
      npyError(npyHeader("{'descr': '<f8', 'fortran_order': True, "
                         "'shape': (2,), }") +
               std::string(16, 'x')),
      "Fortran"));
  EXPECT_TRUE(contains(npyError(npyHeader("{'descr': '<f8'}")), "lacks"));
  EXPECT_TRUE(contains(npyError(npyHeader(ok).substr(0, 30)),
                       "truncated header"));
  NpyArray a;
  std::string err;
  EXPECT_FALSE(readNpy("/nonexistent/x.npy", a, err));
  EXPECT_TRUE(contains(err, "/nonexistent/x.npy: cannot open"));
}

//===----------------------------------------------------------------------===//
// bf16 / f16
//===----------------------------------------------------------------------===//

TEST(Half, Bf16RoundsToNearestEven) {
  EXPECT_EQ(floatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBf16(-2.0f), 0xc000);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1.0).
  EXPECT_EQ(floatToBf16(1.0f + 0x1p-8f), 0x3f80);
  // 1 + 3*2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: to 1 + 2^-6.
  EXPECT_EQ(floatToBf16(1.0f + 3 * 0x1p-8f), 0x3f82);
  EXPECT_EQ(floatToBf16(1.0f + 0x1p-8f + 0x1p-20f), 0x3f81);
  EXPECT_EQ(floatToBf16(INFINITY), 0x7f80);
  EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(NAN))));
  // Overflow rounds to infinity.
  EXPECT_EQ(floatToBf16(3.4e38f), 0x7f80);
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = bf16ToFloat(uint16_t(h));
    if (!std::isnan(f)) {
      ASSERT_EQ(floatToBf16(f), h);
    }
  }
}

TEST(Half, F16RoundsToNearestEven) {
  EXPECT_EQ(floatToF16(1.0f), 0x3c00);
  EXPECT_EQ(floatToF16(65504.0f), 0x7bff);
  EXPECT_EQ(floatToF16(65519.0f), 0x7bff);
  EXPECT_EQ(floatToF16(65520.0f), 0x7c00); // halfway to 2^16: ties to inf
  EXPECT_EQ(floatToF16(0x1p-24f), 0x0001); // smallest subnormal
  EXPECT_EQ(floatToF16(0x1p-25f), 0x0000); // tie: to even (zero)
  EXPECT_EQ(floatToF16(3 * 0x1p-25f), 0x0002);
  EXPECT_EQ(floatToF16(-0x1p-14f), 0x8400); // smallest normal
  EXPECT_EQ(floatToF16(1.0f + 0x1p-11f), 0x3c00); // tie: to even
  EXPECT_EQ(floatToF16(1.0f + 3 * 0x1p-11f), 0x3c02);
  EXPECT_TRUE(std::isnan(f16ToFloat(floatToF16(NAN))));
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = f16ToFloat(uint16_t(h));
    if (!std::isnan(f)) {
      ASSERT_EQ(floatToF16(f), h) << std::hex << h;
    }
  }
}

TEST(Half, RoundToDTypeMatchesBitConversions) {
  Random rng(7);
  for (int i = 0; i < 100000; ++i) {
    // Values of every magnitude, subnormals of both formats included.
    float f = float(rng.normal() * std::ldexp(1.0, int(rng.below(80)) - 40));
    EXPECT_EQ(roundToDType(f, DType::BF16), double(bf16ToFloat(floatToBf16(f))));
    EXPECT_EQ(roundToDType(f, DType::F16), double(f16ToFloat(floatToF16(f))));
    EXPECT_EQ(roundToDType(f, DType::F32), double(f));
  }
}

//===----------------------------------------------------------------------===//
// Derivative rules of every op: a one-op program per op, against central
// finite differences.
//===----------------------------------------------------------------------===//

/// A program with `numArgs` float args and `ops`, result = the last value.
Program makeProgram(int numArgs, std::vector<ProgramOp> ops) {
  Program p;
  for (int i = 0; i < numArgs; ++i)
    p.args.push_back({ArgKind::State, i, GatePart::Total});
  p.ops = std::move(ops);
  p.results = {p.numValues() - 1};
  return p;
}

ProgramOp op(OpCode code, std::vector<int> operands) {
  ProgramOp o;
  o.code = code;
  o.operands = std::move(operands);
  return o;
}

double evalResult(const Program &p, const std::vector<double> &args) {
  std::vector<double> v(size_t(p.numValues()));
  std::copy(args.begin(), args.end(), v.begin());
  evalProgram(p, v.data());
  return v[size_t(p.results[0])];
}

std::vector<double> gradient(const Program &p,
                             const std::vector<double> &args) {
  std::vector<double> v(size_t(p.numValues())), g(v.size(), 0.0);
  std::copy(args.begin(), args.end(), v.begin());
  evalProgram(p, v.data());
  g[size_t(p.results[0])] = 1.0;
  backpropProgram(p, v.data(), g.data());
  return std::vector<double>(g.begin(), g.begin() + long(args.size()));
}

void checkAgainstFiniteDifferences(const Program &p,
                                   const std::vector<double> &args,
                                   const char *what) {
  std::vector<double> g = gradient(p, args);
  for (size_t i = 0; i < args.size(); ++i) {
    const double h = 1e-6;
    std::vector<double> plus = args, minus = args;
    plus[i] += h;
    minus[i] -= h;
    double fd = (evalResult(p, plus) - evalResult(p, minus)) / (2 * h);
    EXPECT_NEAR(g[i], fd, 1e-7 * std::max(1.0, std::fabs(fd)))
        << what << " d/darg" << i << " at (" << args[0]
        << (args.size() > 1 ? ", " + std::to_string(args[1]) : "") << ")";
  }
}

TEST(OpDerivatives, UnaryOps) {
  struct Case {
    OpCode code;
    double lo, hi; // domain to sample
  } cases[] = {{OpCode::NegF, -3, 3},       {OpCode::Exp, -3, 3},
               {OpCode::Log, 0.1, 5},       {OpCode::Tanh, -3, 3},
               {OpCode::Sqrt, 0.1, 5},      {OpCode::Log1p, -0.9, 5},
               {OpCode::AbsF, -3, 3},       {OpCode::Sigmoid, -8, 8},
               {OpCode::LogSigmoid, -8, 8}, {OpCode::Softplus, -8, 8}};
  Random rng(1);
  for (const Case &c : cases) {
    Program p = makeProgram(1, {op(c.code, {0})});
    for (int i = 0; i < 50; ++i) {
      double x = rng.uniform(c.lo, c.hi);
      if (c.code == OpCode::AbsF && std::fabs(x) < 1e-3)
        continue; // not differentiable at 0
      checkAgainstFiniteDifferences(p, {x}, opName(c.code));
    }
  }
}

TEST(OpDerivatives, BinaryOps) {
  Random rng(2);
  for (OpCode code : {OpCode::AddF, OpCode::SubF, OpCode::MulF, OpCode::DivF,
                      OpCode::MaximumF, OpCode::MinimumF}) {
    Program p = makeProgram(2, {op(code, {0, 1})});
    for (int i = 0; i < 50; ++i) {
      double a = rng.uniform(-3, 3), b = rng.uniform(-3, 3);
      if (code == OpCode::DivF && std::fabs(b) < 0.2)
        continue;
      if (std::fabs(a - b) < 1e-3)
        continue; // max/min kink
      checkAgainstFiniteDifferences(p, {a, b}, opName(code));
    }
  }
  // Ties: the gradient goes to the first operand, as documented.
  Program pmax = makeProgram(2, {op(OpCode::MaximumF, {0, 1})});
  EXPECT_EQ(gradient(pmax, {1.0, 1.0}), (std::vector<double>{1.0, 0.0}));
  Program pmin = makeProgram(2, {op(OpCode::MinimumF, {0, 1})});
  EXPECT_EQ(gradient(pmin, {1.0, 1.0}), (std::vector<double>{1.0, 0.0}));
  // IEEE maximum/minimum propagate NaN.
  EXPECT_TRUE(std::isnan(evalResult(pmax, {NAN, 1.0})));
  EXPECT_TRUE(std::isnan(evalResult(pmin, {1.0, NAN})));
}

TEST(OpDerivatives, SelectAndCmpf) {
  // select(a < b, x, y): the gradient goes to the chosen operand only; the
  // comparison gets none.
  ProgramOp cmp = op(OpCode::CmpF, {0, 1});
  cmp.predicate = CmpPredicate::OLT;
  Program p = makeProgram(4, {cmp, op(OpCode::Select, {4, 2, 3})});
  checkAgainstFiniteDifferences(p, {1.0, 2.0, 0.3, -0.7}, "select(true)");
  checkAgainstFiniteDifferences(p, {2.0, 1.0, 0.3, -0.7}, "select(false)");
  EXPECT_EQ(gradient(p, {1.0, 2.0, 0.3, -0.7}),
            (std::vector<double>{0, 0, 1, 0}));
  EXPECT_EQ(gradient(p, {2.0, 1.0, 0.3, -0.7}),
            (std::vector<double>{0, 0, 0, 1}));
}

TEST(OpSemantics, CmpfPredicates) {
  struct Case {
    CmpPredicate p;
    bool lt, eq, gt, unordered; // results for (1,2), (2,2), (3,2), (nan,2)
  } cases[] = {
      {CmpPredicate::False, 0, 0, 0, 0}, {CmpPredicate::OEQ, 0, 1, 0, 0},
      {CmpPredicate::OGT, 0, 0, 1, 0},   {CmpPredicate::OGE, 0, 1, 1, 0},
      {CmpPredicate::OLT, 1, 0, 0, 0},   {CmpPredicate::OLE, 1, 1, 0, 0},
      {CmpPredicate::ONE, 1, 0, 1, 0},   {CmpPredicate::ORD, 1, 1, 1, 0},
      {CmpPredicate::UEQ, 0, 1, 0, 1},   {CmpPredicate::UGT, 0, 0, 1, 1},
      {CmpPredicate::UGE, 0, 1, 1, 1},   {CmpPredicate::ULT, 1, 0, 0, 1},
      {CmpPredicate::ULE, 1, 1, 0, 1},   {CmpPredicate::UNE, 1, 0, 1, 1},
      {CmpPredicate::UNO, 0, 0, 0, 1},   {CmpPredicate::True, 1, 1, 1, 1}};
  for (const Case &c : cases) {
    ProgramOp cmp = op(OpCode::CmpF, {0, 1});
    cmp.predicate = c.p;
    Program p = makeProgram(2, {cmp});
    EXPECT_EQ(evalResult(p, {1, 2}), c.lt ? 1.0 : 0.0) << int(c.p);
    EXPECT_EQ(evalResult(p, {2, 2}), c.eq ? 1.0 : 0.0) << int(c.p);
    EXPECT_EQ(evalResult(p, {3, 2}), c.gt ? 1.0 : 0.0) << int(c.p);
    EXPECT_EQ(evalResult(p, {NAN, 2}), c.unordered ? 1.0 : 0.0) << int(c.p);
    EXPECT_EQ(gradient(p, {1, 2}), (std::vector<double>{0, 0}));
  }
}

TEST(OpDerivatives, ConstantAndStopGradient) {
  ProgramOp c = op(OpCode::Constant, {});
  c.value = 2.5;
  // x * 2.5: the constant contributes a value, no gradient.
  Program p = makeProgram(1, {c, op(OpCode::MulF, {0, 1})});
  EXPECT_EQ(evalResult(p, {2.0}), 5.0);
  checkAgainstFiniteDifferences(p, {2.0}, "constant");
  // stop_gradient(x) * x: value x^2, derivative x (not 2x).
  Program s = makeProgram(1, {op(OpCode::StopGradient, {0}),
                              op(OpCode::MulF, {1, 0})});
  EXPECT_EQ(evalResult(s, {3.0}), 9.0);
  EXPECT_EQ(gradient(s, {3.0}), (std::vector<double>{3.0}));
}

TEST(OpSemantics, StableAtExtremes) {
  Program sp = makeProgram(1, {op(OpCode::Softplus, {0})});
  EXPECT_EQ(evalResult(sp, {1000.0}), 1000.0);
  EXPECT_GT(evalResult(sp, {-700.0}), 0.0);
  Program ls = makeProgram(1, {op(OpCode::LogSigmoid, {0})});
  EXPECT_EQ(evalResult(ls, {-1000.0}), -1000.0);
  EXPECT_EQ(gradient(ls, {-1000.0}), (std::vector<double>{1.0}));
  Program sg = makeProgram(1, {op(OpCode::Sigmoid, {0})});
  EXPECT_EQ(evalResult(sg, {-1000.0}), 0.0);
  EXPECT_EQ(evalResult(sg, {1000.0}), 1.0);
}

//===----------------------------------------------------------------------===//
// Time loop and C ABI
//===----------------------------------------------------------------------===//

struct RunData {
  std::vector<double> wx, r, b, s0, states, last, dstates, dlast, dwx, dr, db,
      ds0;
};

RunData makeRun(const Manifest &m, const RunDims &d, uint64_t seed) {
  TensorShapes sh = TensorShapes::get(m, d);
  Random rng(seed);
  auto fill = [&](std::vector<double> &v, const std::vector<int64_t> &shape,
                  double scale) {
    v.resize(size_t(numElements(shape)));
    for (double &x : v)
      x = scale * rng.normal();
  };
  RunData r;
  fill(r.wx, sh.wx, 1.0);
  fill(r.r, sh.r, 0.3);
  fill(r.b, sh.b, 0.1);
  fill(r.s0, sh.s0, 0.2);
  for (double &x : r.s0)
    x = std::fabs(x) + 0.05;
  fill(r.dstates, sh.states, 1.0);
  fill(r.dlast, sh.last, 1.0);
  r.states.resize(r.dstates.size());
  r.last.resize(r.dlast.size());
  r.dwx.resize(r.wx.size());
  r.dr.resize(r.r.size());
  r.db.resize(r.b.size());
  r.ds0.resize(r.s0.size());
  return r;
}

void runBoth(const Manifest &m, const RunDims &d, RunData &r, bool withS0) {
  std::string err;
  const double *s0 = withS0 ? r.s0.data() : nullptr;
  ASSERT_TRUE(referenceForward(m, d, r.wx.data(), r.r.data(), r.b.data(), s0,
                               r.states.data(), r.last.data(), err))
      << err;
  ASSERT_TRUE(referenceBackward(m, d, r.wx.data(), r.r.data(), r.b.data(), s0,
                                r.states.data(), r.dstates.data(),
                                r.dlast.data(), r.dwx.data(), r.dr.data(),
                                r.db.data(), r.ds0.data(), err))
      << err;
}

Manifest loadTestPackage(const char *cell) {
  Manifest m;
  std::string err;
  EXPECT_TRUE(loadManifest(std::string(FLASHRNN_RUNTIME_INPUTS) + "/" + cell,
                           m, err))
      << err;
  return m;
}

TEST(Reference, ResultsDoNotDependOnThreadCount) {
  for (const char *cell : {"lstm", "gru", "slstm"}) {
    Manifest m = loadTestPackage(cell);
    RunDims d{11, 5, 3};
    RunData a = makeRun(m, d, 3), b = a;
    setReferenceThreads(1);
    runBoth(m, d, a, true);
    setReferenceThreads(7);
    runBoth(m, d, b, true);
    setReferenceThreads(0);
    EXPECT_EQ(a.states, b.states) << cell;
    EXPECT_EQ(a.dwx, b.dwx) << cell;
    EXPECT_EQ(a.dr, b.dr) << cell;
    EXPECT_EQ(a.db, b.db) << cell;
    EXPECT_EQ(a.ds0, b.ds0) << cell;
  }
}

TEST(Reference, NoS0MeansInitValues) {
  // Without s0, ds0 is the gradient w.r.t. the broadcast init values: the
  // same as with an explicit s0 holding those values.
  Manifest m = loadTestPackage("lstm");
  m.states[1].init = 0.25; // make c's init non-trivial
  RunDims d{2, 3, 2};
  RunData a = makeRun(m, d, 5), b = a;
  for (size_t i = 0; i < b.s0.size(); ++i)
    b.s0[i] = i < b.s0.size() / 2 ? 0.0 : 0.25;
  runBoth(m, d, a, false);
  runBoth(m, d, b, true);
  EXPECT_EQ(a.states, b.states);
  EXPECT_EQ(a.ds0, b.ds0);
  EXPECT_EQ(a.dr, b.dr);
}

TEST(Reference, BackwardRecomputesStatesWhenNotGiven) {
  Manifest m = loadTestPackage("gru");
  RunDims d{2, 4, 1};
  RunData a = makeRun(m, d, 9), b = a;
  runBoth(m, d, a, true);
  std::string err;
  ASSERT_TRUE(referenceBackward(m, d, b.wx.data(), b.r.data(), b.b.data(),
                                b.s0.data(), nullptr, b.dstates.data(),
                                b.dlast.data(), b.dwx.data(), b.dr.data(),
                                b.db.data(), b.ds0.data(), err));
  EXPECT_EQ(a.dwx, b.dwx);
  EXPECT_EQ(a.dr, b.dr);
}

TEST(Reference, RejectsBadSizes) {
  Manifest m = loadTestPackage("elman");
  std::string err;
  double x = 0;
  EXPECT_FALSE(referenceForward(m, {0, 1, 1}, &x, &x, &x, nullptr, &x, &x,
                                err));
  EXPECT_TRUE(contains(err, "must be >= 1"));
  EXPECT_FALSE(referenceForward(m, {int64_t(1) << 40, 1 << 20, 1}, &x, &x, &x,
                                nullptr, &x, &x, err));
  EXPECT_TRUE(contains(err, "too large"));
}

TEST(CApi, LoadQueryAndErrors) {
  EXPECT_EQ(flashrnn_abi_version(), FLASHRNN_ABI_VERSION);
  EXPECT_EQ(flashrnn_package_format_version(), 1);
  EXPECT_EQ(flashrnn_package_load("/nonexistent"), nullptr);
  EXPECT_TRUE(contains(flashrnn_last_error(), "/nonexistent/manifest.json"));
  std::string dir = std::string(FLASHRNN_RUNTIME_INPUTS) + "/gru";
  FlashRnnPackage *pkg = flashrnn_package_load(dir.c_str());
  ASSERT_NE(pkg, nullptr) << flashrnn_last_error();
  EXPECT_STREQ(flashrnn_package_cell(pkg), "gru");
  EXPECT_STREQ(flashrnn_package_dtype(pkg), "f16");
  EXPECT_EQ(flashrnn_package_head_dim(pkg), 8);
  int gw, gr, gb, s;
  EXPECT_EQ(flashrnn_package_counts(pkg, &gw, &gr, &gb, &s), FLASHRNN_OK);
  EXPECT_EQ(gw, 3);
  EXPECT_EQ(gr, 3);
  EXPECT_EQ(gb, 4);
  EXPECT_EQ(s, 1);
  EXPECT_EQ(flashrnn_package_num_gates(pkg), 3);
  EXPECT_STREQ(flashrnn_package_gate_name(pkg, 2), "n");
  EXPECT_EQ(flashrnn_package_gate_name(pkg, 3), nullptr);
  EXPECT_STREQ(flashrnn_package_state_name(pkg, 0), "h");
  EXPECT_EQ(flashrnn_package_recurrent_state(pkg), 0);
  EXPECT_EQ(flashrnn_package_uses_stop_gradient(pkg), 0);
  double v[2] = {1.0 + 0x1p-12, 70000.0};
  EXPECT_EQ(flashrnn_round_to_dtype(pkg, v, 2), FLASHRNN_OK);
  EXPECT_EQ(v[0], 1.0);
  EXPECT_TRUE(std::isinf(v[1]));
  double x = 0;
  EXPECT_EQ(flashrnn_reference_forward(pkg, 1, 1, 1, nullptr, &x, &x, nullptr,
                                       &x, &x),
            FLASHRNN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(flashrnn_last_error(), "must not be NULL"));
  EXPECT_EQ(flashrnn_reference_forward(pkg, -1, 1, 1, &x, &x, &x, nullptr, &x,
                                       &x),
            FLASHRNN_ERROR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(flashrnn_last_error(), "must be >= 1"));
  EXPECT_EQ(flashrnn_package_counts(nullptr, &gw, nullptr, nullptr, nullptr),
            FLASHRNN_ERROR_INVALID_ARGUMENT);
  flashrnn_package_free(pkg);
}

} // namespace
