//===- KernelSpec.cpp - A package's kernels and their launches ------------===//
//
// Part of FlashRNN-MLIR, the runtime (no MLIR, no LLVM).
//
//===----------------------------------------------------------------------===//

#include "runtime/Cuda/KernelSpec.h"

#include "runtime/Json.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <cstdio>
#include <sstream>
#include <sys/stat.h>

namespace flashrnn {
namespace cuda {

namespace {

/// Field reader with the manifest loader's message format (docs/RUNTIME.md):
/// "FILE: field 'kernels[0].ptx' (line L, column C): why".
class FieldReader {
public:
  explicit FieldReader(std::string what) : what(std::move(what)) {}
  std::string error;

  bool fail(const std::string &field, const json::Value *at,
            const std::string &why) {
    error = json::fieldError(what, field, at, why);
    return false;
  }

  static std::string describe(const json::Value &v) {
    return json::describe(v);
  }

  bool member(const json::Value &obj, const std::string &f,
              const json::Value *&out) {
    if (!(out = obj.find(leaf(f))))
      return fail(f, &obj, "missing");
    return true;
  }

  bool getString(const json::Value &obj, const std::string &f,
                 std::string &out) {
    const json::Value *v;
    if (!member(obj, f, v))
      return false;
    if (!v->isString())
      return fail(f, v, "expected a string, got " + describe(*v));
    out = v->getString();
    return true;
  }

  bool toInt(const json::Value &v, const std::string &f, int64_t lo, int64_t hi,
             int64_t &out) {
    if (!v.isNumber() || !v.isIntegerLiteral())
      return fail(f, &v, "expected an integer, got " + describe(v));
    if (v.getNumber() < double(lo) || v.getNumber() > double(hi))
      return fail(f, &v,
                  "expected an integer in [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "], got " + describe(v));
    out = int64_t(v.getNumber());
    return true;
  }

  bool getInt(const json::Value &obj, const std::string &f, int64_t lo,
              int64_t hi, int64_t &out) {
    const json::Value *v;
    return member(obj, f, v) && toInt(*v, f, lo, hi, out);
  }

  bool getBool(const json::Value &obj, const std::string &f, bool &out) {
    const json::Value *v;
    if (!member(obj, f, v))
      return false;
    if (!v->isBool())
      return fail(f, v, "expected true or false, got " + describe(*v));
    out = v->getBool();
    return true;
  }

  bool getArray(const json::Value &obj, const std::string &f,
                const json::Value *&out) {
    if (!member(obj, f, out))
      return false;
    if (!out->isArray())
      return fail(f, out, "expected an array, got " + describe(*out));
    return true;
  }

  bool getObject(const json::Value &obj, const std::string &f,
                 const json::Value *&out) {
    if (!member(obj, f, out))
      return false;
    if (!out->isObject())
      return fail(f, out, "expected an object, got " + describe(*out));
    return true;
  }

private:
  /// The key of a field path's last component ("kernels[0].ptx" -> "ptx").
  static std::string leaf(const std::string &f) {
    size_t dot = f.rfind('.');
    return dot == std::string::npos ? f : f.substr(dot + 1);
  }
  std::string what;
};

bool isRegularFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// "sm_90" / "sm_90a" / "sm_100" -> (9, 0) / (9, 0) / (10, 0).
bool parseChip(const std::string &chip, int &major, int &minor) {
  if (chip.size() < 5 || chip.compare(0, 3, "sm_") != 0)
    return false;
  size_t i = 3, digitsEnd = 3;
  while (digitsEnd < chip.size() &&
         std::isdigit((unsigned char)chip[digitsEnd]))
    ++digitsEnd;
  if (digitsEnd - i < 2 || digitsEnd - i > 3)
    return false;
  // An optional architecture-specific suffix ("a", "f").
  if (chip.size() - digitsEnd > 1 ||
      (digitsEnd < chip.size() && !std::isalpha((unsigned char)chip.back())))
    return false;
  std::string digits = chip.substr(i, digitsEnd - i);
  major = std::stoi(digits.substr(0, digits.size() - 1));
  minor = digits.back() - '0';
  return true;
}

/// One argument of a kernel contract (docs/PACKAGE.md, "Kernels").
struct ExpectedArg {
  const char *name;
  const char *kind; // "memref" or "i32"
  int rank;
  const char *dtype; // nullptr: the package dtype
};
const ExpectedArg kForwardArgs[] = {
    {"wx", "memref", 5, nullptr},       {"r", "memref", 4, nullptr},
    {"b", "memref", 3, nullptr},        {"s0", "memref", 4, nullptr},
    {"states", "memref", 5, nullptr},   {"last", "memref", 4, nullptr},
    {"h_exchange", "memref", 4, "f32"}, {"sync", "memref", 1, "i32"},
    {"batch_begin", "i32", 0, nullptr}};
const ExpectedArg kForwardTrainArgs[] = {
    {"wx", "memref", 5, nullptr},        {"r", "memref", 4, nullptr},
    {"b", "memref", 3, nullptr},         {"s0", "memref", 4, nullptr},
    {"states", "memref", 5, nullptr},    {"last", "memref", 4, nullptr},
    {"h_exchange", "memref", 4, "f32"},  {"sync", "memref", 1, "i32"},
    {"batch_begin", "i32", 0, nullptr},  {"saved_gates", "memref", 5, "f32"},
    {"saved_states", "memref", 5, "f32"}};
// The backward's h_exchange carries one row per recurrent gate: rank 5,
// [2, B, NH, Gr, DH], unlike the forward's.
const ExpectedArg kBackwardArgs[] = {
    {"r", "memref", 4, nullptr},         {"s0", "memref", 4, nullptr},
    {"saved_gates", "memref", 5, "f32"}, {"saved_states", "memref", 5, "f32"},
    {"dstates", "memref", 5, nullptr},   {"dlast", "memref", 4, nullptr},
    {"dwx", "memref", 5, nullptr},       {"ds0", "memref", 4, nullptr},
    {"dgates", "memref", 5, "f32"},      {"h_exchange", "memref", 5, "f32"},
    {"sync", "memref", 1, "i32"},        {"progress", "memref", 1, "i32"},
    {"batch_begin", "i32", 0, nullptr}};
const ExpectedArg kBackwardReduceArgs[] = {
    {"s0", "memref", 4, nullptr},         {"saved_states", "memref", 5, "f32"},
    {"dgates", "memref", 5, "f32"},       {"dr", "memref", 4, nullptr},
    {"db", "memref", 3, nullptr},         {"partial", "memref", 4, "f32"},
    {"sync", "memref", 1, "i32"},         {"progress", "memref", 1, "i32"}};

struct Contract {
  const char *kind;
  const ExpectedArg *args;
  size_t numArgs;
  bool hasSchedule; // schedule fields, grid [ctas_per_head, heads, tiles]
};
template <size_t N>
constexpr Contract contract(const char *kind, const ExpectedArg (&args)[N],
                            bool hasSchedule) {
  return {kind, args, N, hasSchedule};
}
const Contract kContracts[] = {
    contract("forward", kForwardArgs, true),
    contract("forward_train", kForwardTrainArgs, true),
    contract("backward", kBackwardArgs, true),
    contract("backward_reduce", kBackwardReduceArgs, false)};

const Contract *findContract(const std::string &kind) {
  for (const Contract &c : kContracts)
    if (kind == c.kind)
      return &c;
  return nullptr;
}

bool readArgs(FieldReader &rd, const json::Value &k, const std::string &f,
              const Contract &c, const Manifest &m) {
  const json::Value *args;
  std::string af = f + ".args";
  if (!rd.getArray(k, af, args))
    return false;
  const auto &list = args->getArray();
  if (list.size() != c.numArgs) {
    std::string names;
    for (size_t i = 0; i < c.numArgs; ++i)
      names += std::string(names.empty() ? "" : ", ") + c.args[i].name;
    return rd.fail(af, args,
                   std::string("a ") + c.kind + " kernel takes " +
                       std::to_string(c.numArgs) + " arguments (" + names +
                       "), got " + std::to_string(list.size()));
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const json::Value &a = list[i];
    std::string ef = af + "[" + std::to_string(i) + "]";
    if (!a.isObject())
      return rd.fail(ef, &a, "expected an object, got " + rd.describe(a));
    std::string name, kind, dtype;
    if (!rd.getString(a, ef + ".name", name) ||
        !rd.getString(a, ef + ".kind", kind))
      return false;
    if (kind != "memref" && kind != "i32")
      return rd.fail(ef + ".kind", a.find("kind"),
                     "expected \"memref\" or \"i32\", got \"" + kind + "\"");
    int64_t rank = 0;
    if (kind == "memref" && (!rd.getInt(a, ef + ".rank", 0, 8, rank) ||
                             !rd.getString(a, ef + ".dtype", dtype)))
      return false;
    const ExpectedArg &e = c.args[i];
    if (name != e.name)
      return rd.fail(ef + ".name", a.find("name"),
                     std::string("expected \"") + e.name + "\" (argument " +
                         std::to_string(i) + " of the " + c.kind +
                         " contract), got \"" + name + "\"");
    if (kind != e.kind)
      return rd.fail(ef + ".kind", a.find("kind"),
                     std::string("expected \"") + e.kind + "\" for '" + e.name +
                         "', got \"" + kind + "\"");
    if (kind != "memref")
      continue;
    if (rank != e.rank)
      return rd.fail(ef + ".rank", a.find("rank"),
                     "expected " + std::to_string(e.rank) + " for '" + e.name +
                         "', got " + std::to_string(rank));
    std::string want = e.dtype ? e.dtype : dtypeName(m.dtype);
    if (dtype != want)
      return rd.fail(ef + ".dtype", a.find("dtype"),
                     "expected \"" + want + "\" for '" + e.name + "'" +
                         (e.dtype ? "" : " (the package dtype)") + ", got \"" +
                         dtype + "\"");
  }
  return true;
}

/// `grid`: kinds with a schedule have the fixed layout of the contract (the
/// field is there so that a future layout is a visible format change rather
/// than a silent one); the others (backward_reduce) give each dimension as
/// a positive integer or "heads".
bool readGrid(FieldReader &rd, const json::Value &k, const std::string &f,
              const Contract &c, KernelSpec &spec) {
  const json::Value *grid;
  if (!rd.getArray(k, f + ".grid", grid))
    return false;
  const auto &dims = grid->getArray();
  if (c.hasSchedule) {
    const char *gridNames[] = {"ctas_per_head", "heads", "batch_tiles"};
    bool gridOk = dims.size() == 3;
    for (size_t i = 0; gridOk && i < 3; ++i)
      gridOk = dims[i].isString() && dims[i].getString() == gridNames[i];
    if (!gridOk)
      return rd.fail(f + ".grid", grid,
                     "expected [\"ctas_per_head\", \"heads\", \"batch_tiles\"]");
    return true;
  }
  if (dims.size() != 3)
    return rd.fail(f + ".grid", grid,
                   "expected 3 dimensions [x, y, z], got " +
                       std::to_string(dims.size()));
  for (size_t i = 0; i < 3; ++i) {
    std::string df = f + ".grid[" + std::to_string(i) + "]";
    const json::Value &v = dims[i];
    if (v.isString()) {
      // Without a schedule there is no ctas_per_head or batch tile to
      // substitute: only the number of heads is a run-time size.
      if (v.getString() != "heads")
        return rd.fail(df, &v,
                       std::string("expected a positive integer or \"heads\" "
                                   "(a ") +
                           c.kind + " kernel has no schedule), got " +
                           rd.describe(v));
      spec.grid[i] = {"heads", 1};
      continue;
    }
    spec.grid[i].name.clear();
    if (!rd.toInt(v, df, 1, 65535, spec.grid[i].value))
      return false;
  }
  return true;
}

bool readKernel(FieldReader &rd, const json::Value &k, const std::string &f,
                const std::string &packageDir, const Manifest &m,
                KernelSpec &spec) {
  if (!k.isObject())
    return rd.fail(f, &k, "expected an object, got " + rd.describe(k));
  if (!rd.getString(k, f + ".kind", spec.kind) ||
      !rd.getString(k, f + ".entry", spec.entry) ||
      !rd.getString(k, f + ".ptx", spec.ptx))
    return false;
  if (spec.entry.empty())
    return rd.fail(f + ".entry", k.find("entry"), "empty kernel name");
  // The PTX file must be a plain name inside the package: packages are
  // moved between machines as whole directories.
  if (spec.ptx.empty() || spec.ptx.find('/') != std::string::npos ||
      spec.ptx == "." || spec.ptx == "..")
    return rd.fail(f + ".ptx", k.find("ptx"),
                   "expected a file name in the package directory, got \"" +
                       spec.ptx + "\"");
  spec.ptxPath = packageDir + "/" + spec.ptx;
  if (!isRegularFile(spec.ptxPath))
    return rd.fail(f + ".ptx", k.find("ptx"),
                   spec.ptxPath + ": no such file (the package is incomplete)");
  // The launch contract of kinds this runtime does not launch is not read,
  // so that a compiler that adds kinds does not break this runtime.
  const Contract *c = findContract(spec.kind);
  if (!c)
    return true;
  // The chip is required of the forward (it decides whether the package can
  // run at all); the other kinds share its PTX file and may omit it.
  if (spec.kind == "forward" || k.find("chip")) {
    if (!rd.getString(k, f + ".chip", spec.chip))
      return false;
    if (!parseChip(spec.chip, spec.chipMajor, spec.chipMinor))
      return rd.fail(f + ".chip", k.find("chip"),
                     "expected a target like \"sm_90\", got \"" + spec.chip +
                         "\"");
  }

  spec.hasSchedule = c->hasSchedule;
  if (c->hasSchedule) {
    const json::Value *schedule;
    std::string sf = f + ".schedule";
    if (!rd.getObject(k, sf, schedule) ||
        !rd.getInt(*schedule, sf + ".ctas_per_head", 1, 65535,
                   spec.ctasPerHead) ||
        !rd.getInt(*schedule, sf + ".batch_tile", 1, 1 << 20, spec.batchTile))
      return false;
    if (schedule->find("grid_barrier") &&
        !rd.getBool(*schedule, sf + ".grid_barrier", spec.gridBarrier))
      return false;
  }
  if (!readGrid(rd, k, f, *c, spec))
    return false;

  const json::Value *block;
  if (!rd.getArray(k, f + ".block", block))
    return false;
  if (block->getArray().size() != 3)
    return rd.fail(f + ".block", block,
                   "expected 3 sizes [x, y, z], got " +
                       std::to_string(block->getArray().size()));
  for (int i = 0; i < 3; ++i)
    if (!rd.toInt(block->getArray()[i], f + ".block[" + std::to_string(i) + "]",
                  1, 1024, spec.block[i]))
      return false;
  if (spec.block[0] * spec.block[1] * spec.block[2] > 1024)
    return rd.fail(f + ".block", block, "more than 1024 threads per block");

  if (!rd.getInt(k, f + ".dynamic_shared_bytes", 0, int64_t(1) << 30,
                 spec.dynamicSharedBytes) ||
      !rd.getBool(k, f + ".cooperative", spec.cooperative))
    return false;
  // A cooperative launch is split over batch tiles; without a schedule
  // there are none to split.
  if (spec.cooperative && !c->hasSchedule)
    return rd.fail(f + ".cooperative", k.find("cooperative"),
                   std::string("a ") + c->kind +
                       " kernel cannot be cooperative (it has no schedule)");
  // Optional (0 when absent): the entry is a batch variant of its kind, run
  // from this many (head, batch tile) pairs on (selectKernel).
  if (k.find("min_head_tiles")) {
    if (!c->hasSchedule)
      return rd.fail(f + ".min_head_tiles", k.find("min_head_tiles"),
                     std::string("a ") + c->kind +
                         " kernel has no batch tiles to choose a variant by");
    if (!rd.getInt(k, f + ".min_head_tiles", 2, int64_t(1) << 40,
                   spec.minHeadTiles))
      return false;
  }
  // Optional (false when absent): a backward_reduce that waits for the
  // backward's progress words and so may run beside it.
  if (k.find("waits_for_progress")) {
    if (spec.kind != "backward_reduce")
      return rd.fail(f + ".waits_for_progress", k.find("waits_for_progress"),
                     "only a backward_reduce kernel waits for progress");
    if (!rd.getBool(k, f + ".waits_for_progress", spec.waitsForProgress))
      return false;
  }
  return readArgs(rd, k, f, *c, m);
}

} // namespace

bool loadKernelSpecs(const std::string &packageDir, const Manifest &m,
                     std::vector<KernelSpec> &specs, std::string &error) {
  specs.clear();
  std::string path = packageDir + "/manifest.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  json::Value root;
  std::string jsonError;
  if (!json::parse(text.str(), root, jsonError)) {
    error = path + ": invalid JSON: " + jsonError;
    return false;
  }
  const json::Value *kernels = root.find("kernels");
  if (!kernels)
    return true;
  FieldReader rd(path);
  if (!kernels->isArray()) {
    rd.fail("kernels", kernels, "expected an array");
    error = rd.error;
    return false;
  }
  for (size_t i = 0; i < kernels->getArray().size(); ++i) {
    KernelSpec spec;
    spec.index = int(i);
    if (!readKernel(rd, kernels->getArray()[i],
                    "kernels[" + std::to_string(i) + "]", packageDir, m,
                    spec)) {
      error = rd.error;
      specs.clear();
      return false;
    }
    specs.push_back(std::move(spec));
  }
  // The entries of one kind are its batch variants: the first runs below
  // every threshold (it has none), the others by increasing threshold.
  for (size_t i = 0; i < specs.size(); ++i) {
    const KernelSpec *first = findKernel(specs, specs[i].kind);
    if (first == &specs[i]) {
      if (specs[i].minHeadTiles != 0) {
        rd.fail("kernels[" + std::to_string(i) + "].min_head_tiles",
                kernels->getArray()[i].find("min_head_tiles"),
                "the first " + specs[i].kind +
                    " kernel must run for every batch (no min_head_tiles); "
                    "only its later variants have one");
        error = rd.error;
        specs.clear();
        return false;
      }
      continue;
    }
    int64_t previous = 0;
    for (size_t j = 0; j < i; ++j)
      if (specs[j].kind == specs[i].kind)
        previous = specs[j].minHeadTiles;
    if (specs[i].minHeadTiles <= previous) {
      const json::Value *at = kernels->getArray()[i].find("min_head_tiles");
      rd.fail("kernels[" + std::to_string(i) + "]" +
                  (at ? ".min_head_tiles" : ""),
              at ? at : &kernels->getArray()[i],
              "a later " + specs[i].kind + " kernel is a batch variant: it " +
                  "needs a min_head_tiles above " + std::to_string(previous) +
                  (at ? ", got " + std::to_string(specs[i].minHeadTiles)
                      : std::string(" (none given)")));
      error = rd.error;
      specs.clear();
      return false;
    }
  }
  return true;
}

bool isLaunchedKind(const std::string &kind) {
  return findContract(kind) != nullptr;
}

const KernelSpec *findKernel(const std::vector<KernelSpec> &specs,
                             const std::string &kind) {
  for (const KernelSpec &k : specs)
    if (k.kind == kind)
      return &k;
  return nullptr;
}

int64_t headTiles(const KernelSpec &k, int64_t batch, int64_t heads) {
  return heads * ((batch + k.batchTile - 1) / k.batchTile);
}

bool batchVariantsDisabled() {
  const char *v = std::getenv("FLASHRNN_BATCH_VARIANTS");
  return v && std::string(v) == "off";
}

const KernelSpec *selectKernel(const std::vector<KernelSpec> &specs,
                               const std::string &kind, int64_t batch,
                               int64_t heads) {
  const KernelSpec *chosen = nullptr;
  bool firstOnly = batchVariantsDisabled();
  for (const KernelSpec &k : specs) {
    if (k.kind != kind)
      continue;
    if (!chosen)
      chosen = &k;
    else if (!firstOnly && headTiles(k, batch, heads) >= k.minHeadTiles)
      chosen = &k;
  }
  return chosen;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

std::vector<uint64_t> memrefDescriptor(uint64_t devicePointer,
                                       const std::vector<int64_t> &shape) {
  size_t rank = shape.size();
  std::vector<uint64_t> d;
  d.reserve(3 + 2 * rank);
  d.push_back(devicePointer); // allocated
  d.push_back(devicePointer); // aligned
  d.push_back(0);             // offset, in elements
  for (int64_t s : shape)
    d.push_back(uint64_t(s));
  // Row-major strides: the last dimension is contiguous.
  std::vector<int64_t> strides(rank, 1);
  for (size_t i = rank; i-- > 1;)
    strides[i - 1] = strides[i] * shape[i];
  for (int64_t s : strides)
    d.push_back(uint64_t(s));
  return d;
}

void KernelParams::addMemref(uint64_t devicePointer,
                             const std::vector<int64_t> &shape) {
  for (uint64_t v : memrefDescriptor(devicePointer, shape)) {
    slots.push_back(v);
    i32.push_back(false);
  }
}

size_t KernelParams::addI32(int32_t value) {
  slots.push_back(0);
  i32.push_back(true);
  setI32(slots.size() - 1, value);
  return slots.size() - 1;
}

void KernelParams::setI32(size_t slot, int32_t value) {
  // The driver reads 4 bytes from the parameter's address: put the value at
  // the start of the slot whatever the host's byte order.
  slots[slot] = 0;
  std::memcpy(&slots[slot], &value, sizeof(value));
}

int32_t KernelParams::i32Value(size_t i) const {
  int32_t v;
  std::memcpy(&v, &slots[i], sizeof(v));
  return v;
}

void **KernelParams::pointers() {
  ptrs.resize(slots.size());
  for (size_t i = 0; i < slots.size(); ++i)
    ptrs[i] = &slots[i];
  return ptrs.data();
}

ForwardShapes forwardShapes(const Manifest &m, const KernelSpec &k,
                            int64_t batch, int64_t seq, int64_t heads) {
  int64_t dh = m.headDim, S = m.numStates;
  int64_t tiles = (batch + k.batchTile - 1) / k.batchTile;
  ForwardShapes s;
  s.wx = {batch, seq, m.wxGates, heads, dh};
  s.r = {m.rGates, heads, dh, dh};
  s.b = {m.bGates, heads, dh};
  s.s0 = {S, batch, heads, dh};
  s.states = {S, batch, seq, heads, dh};
  s.last = {S, batch, heads, dh};
  s.hExchange = {2, batch, heads, dh};
  s.sync = {heads * tiles};
  return s;
}

KernelParams forwardParams(const ForwardBuffers &buf,
                           const ForwardShapes &shapes,
                           size_t &batchBeginSlot) {
  KernelParams p;
  p.addMemref(buf.wx, shapes.wx);
  p.addMemref(buf.r, shapes.r);
  p.addMemref(buf.b, shapes.b);
  p.addMemref(buf.s0, shapes.s0);
  p.addMemref(buf.states, shapes.states);
  p.addMemref(buf.last, shapes.last);
  p.addMemref(buf.hExchange, shapes.hExchange);
  p.addMemref(buf.sync, shapes.sync);
  batchBeginSlot = p.addI32(0);
  return p;
}

int64_t numGateValues(const Manifest &m) {
  int64_t n = 0;
  for (const ProgramArg &a : m.program.args)
    n += a.kind == ArgKind::Gate;
  return n;
}

TrainingShapes trainingShapes(const Manifest &m, const KernelSpec &fwd,
                              const KernelSpec &bwd, int64_t batch,
                              int64_t seq, int64_t heads) {
  int64_t dh = m.headDim, S = m.numStates, na = numGateValues(m);
  TrainingShapes s;
  s.forward = forwardShapes(m, fwd, batch, seq, heads);
  s.savedGates = {batch, seq, na, heads, dh};
  s.savedStates = {S, batch, seq, heads, dh};
  s.dstates = s.forward.states;
  s.dlast = s.forward.last;
  s.dwx = s.forward.wx;
  s.ds0 = s.forward.s0;
  s.dr = s.forward.r;
  s.db = s.forward.b;
  s.dgates = s.savedGates;
  s.backwardExchange = {2, batch, heads, m.rGates, dh};
  // The backward has its own schedule: its batch tile sizes its counters.
  s.backwardSync = {heads * ((batch + bwd.batchTile - 1) / bwd.batchTile)};
  // The reduction's workspace: per head, gate value and unit j, the partial
  // sums of dR (columns 0..DH-1) and db (column DH), and one counter per
  // (head, value, unit) row, more than any tiling of the rows needs.
  s.reducePartial = {heads, na, dh, dh + 1};
  s.reduceSync = {heads * na * dh};
  // The backward's progress (lowering/Common/BackwardProgress.h): the count
  // of started CTAs, then one word per CTA of the whole batch.
  s.progress = {1 + heads * ((batch + bwd.batchTile - 1) / bwd.batchTile) *
                        bwd.ctasPerHead};
  return s;
}

KernelParams forwardTrainParams(const TrainingBuffers &buf,
                                const TrainingShapes &shapes,
                                size_t &batchBeginSlot) {
  KernelParams p = forwardParams(buf.forward, shapes.forward, batchBeginSlot);
  p.addMemref(buf.savedGates, shapes.savedGates);
  p.addMemref(buf.savedStates, shapes.savedStates);
  return p;
}

KernelParams backwardParams(const TrainingBuffers &buf,
                            const TrainingShapes &shapes,
                            size_t &batchBeginSlot) {
  KernelParams p;
  p.addMemref(buf.forward.r, shapes.forward.r);
  p.addMemref(buf.forward.s0, shapes.forward.s0);
  p.addMemref(buf.savedGates, shapes.savedGates);
  p.addMemref(buf.savedStates, shapes.savedStates);
  p.addMemref(buf.dstates, shapes.dstates);
  p.addMemref(buf.dlast, shapes.dlast);
  p.addMemref(buf.dwx, shapes.dwx);
  p.addMemref(buf.ds0, shapes.ds0);
  p.addMemref(buf.dgates, shapes.dgates);
  p.addMemref(buf.backwardExchange, shapes.backwardExchange);
  p.addMemref(buf.backwardSync, shapes.backwardSync);
  p.addMemref(buf.progress, shapes.progress);
  batchBeginSlot = p.addI32(0);
  return p;
}

KernelParams backwardReduceParams(const TrainingBuffers &buf,
                                  const TrainingShapes &shapes) {
  KernelParams p;
  p.addMemref(buf.forward.s0, shapes.forward.s0);
  p.addMemref(buf.savedStates, shapes.savedStates);
  p.addMemref(buf.dgates, shapes.dgates);
  p.addMemref(buf.dr, shapes.dr);
  p.addMemref(buf.db, shapes.db);
  p.addMemref(buf.reducePartial, shapes.reducePartial);
  p.addMemref(buf.reduceSync, shapes.reduceSync);
  p.addMemref(buf.progress, shapes.progress);
  return p;
}

void resolveGrid(const KernelSpec &k, int64_t heads, int64_t tiles,
                 int64_t grid[3]) {
  for (int i = 0; i < 3; ++i) {
    const GridDim &g = k.grid[i];
    grid[i] = g.name.empty()              ? g.value
              : g.name == "ctas_per_head" ? k.ctasPerHead
              : g.name == "heads"         ? heads
                                          : tiles;
  }
}

//===----------------------------------------------------------------------===//
// Launches
//===----------------------------------------------------------------------===//

bool planLaunches(int64_t batch, int64_t batchTile, int64_t ctasPerHead,
                  int64_t heads, bool cooperative, int64_t residentCtas,
                  int64_t maxGridZ, std::vector<LaunchChunk> &chunks,
                  std::string &error) {
  chunks.clear();
  if (batch < 1 || batchTile < 1 || ctasPerHead < 1 || heads < 1 ||
      maxGridZ < 1) {
    error = "planLaunches: sizes must be positive";
    return false;
  }
  int64_t tiles = (batch + batchTile - 1) / batchTile;
  int64_t perTile = ctasPerHead * heads; // CTAs of one batch tile
  int64_t tilesPerLaunch = std::min(tiles, maxGridZ);
  if (cooperative) {
    if (perTile > residentCtas) {
      error = "the cooperative kernel needs " + std::to_string(perTile) +
              " CTAs resident at once for one batch tile (ctas_per_head " +
              std::to_string(ctasPerHead) + " x heads " +
              std::to_string(heads) + "), but the device holds at most " +
              std::to_string(residentCtas) +
              " of them (blocks per SM x SMs from the occupancy API); use " +
              "fewer heads per call";
      return false;
    }
    tilesPerLaunch = std::min(tilesPerLaunch, residentCtas / perTile);
  }
  for (int64_t t = 0; t < tiles; t += tilesPerLaunch)
    chunks.push_back({t * batchTile, std::min(tilesPerLaunch, tiles - t)});
  return true;
}

} // namespace cuda
} // namespace flashrnn
