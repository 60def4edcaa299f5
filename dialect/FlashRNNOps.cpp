//===- FlashRNNOps.cpp - cell and sequence ops ----------------------------===//
//
// The custom syntax of flashrnn.cell and the verifiers of the cell level.
// Every diagnostic names its culprit (the gate, state, op or tensor at fault)
// because a researcher writing a new cell reads these first.
//
//===----------------------------------------------------------------------===//
#include "dialect/FlashRNNOps.h"
#include "dialect/CellBodyOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::flashrnn;

//===----------------------------------------------------------------------===//
// CellOp: declarations
//===----------------------------------------------------------------------===//

unsigned CellOp::getNumWxGates() {
  return llvm::count_if(getGates().getAsRange<GateAttr>(),
                        [](GateAttr g) { return g.getInput(); });
}

unsigned CellOp::getNumRGates() {
  return llvm::count_if(getGates().getAsRange<GateAttr>(),
                        [](GateAttr g) { return g.getRecurrent(); });
}

unsigned CellOp::getNumBiasGates() {
  unsigned n = 0;
  for (GateAttr g : getGates().getAsRange<GateAttr>())
    n += unsigned(g.getBias()) + unsigned(g.getRecurrentBias());
  return n;
}

unsigned CellOp::getRecurrentStateIndex() {
  for (auto [i, s] : llvm::enumerate(getStates().getAsRange<StateAttr>()))
    if (s.getRecurrent())
      return i;
  return 0;
}

unsigned CellOp::getNumBodyArguments() {
  unsigned gateValues = 0;
  for (GateAttr g : getGates().getAsRange<GateAttr>())
    gateValues += g.getSplit() ? 2 : 1;
  return getStates().size() + gateValues + getConstants().size();
}

/// Whether the declarations have the types the verifier demands. The naming
/// hook below also runs when an invalid op is printed in a diagnostic, so it
/// must not trust the attributes.
static bool hasWellTypedDeclarations(Operation *op) {
  auto isArrayOf = [&](StringRef name, auto typeTag) {
    using AttrT = decltype(typeTag);
    auto array = op->getAttrOfType<ArrayAttr>(name);
    return array && llvm::all_of(array, [](Attribute a) {
             return isa<AttrT>(a);
           });
  };
  return isArrayOf("gates", GateAttr()) && isArrayOf("states", StateAttr()) &&
         isArrayOf("constants", ConstantAttr());
}

void CellOp::getAsmBlockArgumentNames(Region &region,
                                      OpAsmSetValueNameFn setNameFn) {
  if (!hasWellTypedDeclarations(*this) || region.empty() ||
      region.front().getNumArguments() != getNumBodyArguments())
    return;
  auto args = region.front().getArguments();
  unsigned i = 0;
  for (StateAttr s : getStates().getAsRange<StateAttr>())
    setNameFn(args[i++], s.getName().getValue());
  for (GateAttr g : getGates().getAsRange<GateAttr>()) {
    if (!g.getSplit()) {
      setNameFn(args[i++], g.getName().getValue());
      continue;
    }
    setNameFn(args[i++], (g.getName().getValue() + "_x").str());
    setNameFn(args[i++], (g.getName().getValue() + "_r").str());
  }
  for (ConstantAttr c : getConstants().getAsRange<ConstantAttr>())
    setNameFn(args[i++], c.getName().getValue());
}

//===----------------------------------------------------------------------===//
// CellOp: syntax
//
//   flashrnn.cell @name gates(i: rec in bias, ...) states(h = 0.0 recurrent, ...)
//       [constants(eps = 1.0e-06, ...)] [attributes {...}]
//       body(%h: f32, ...) { ... flashrnn.yield ... }
//===----------------------------------------------------------------------===//

static ParseResult parseName(OpAsmParser &parser, StringAttr &name) {
  std::string str;
  if (parser.parseKeywordOrString(&str))
    return failure();
  name = parser.getBuilder().getStringAttr(str);
  return success();
}

static ParseResult parseGate(OpAsmParser &parser,
                             SmallVectorImpl<Attribute> &gates) {
  StringAttr name;
  if (parseName(parser, name) || parser.parseColon())
    return failure();
  bool rec = false, in = false, bias = false, split = false, rbias = false;
  while (true) {
    SMLoc loc = parser.getCurrentLocation();
    StringRef flag;
    if (failed(parser.parseOptionalKeyword(&flag)))
      break;
    bool *slot = llvm::StringSwitch<bool *>(flag)
                     .Case("rec", &rec)
                     .Case("in", &in)
                     .Case("bias", &bias)
                     .Case("split", &split)
                     .Case("rbias", &rbias)
                     .Default(nullptr);
    if (!slot)
      return parser.emitError(loc, "unknown flag '")
             << flag << "' of gate '" << name.getValue()
             << "'; expected rec, in, bias, split or rbias";
    if (*slot)
      return parser.emitError(loc, "flag '")
             << flag << "' given twice for gate '" << name.getValue() << "'";
    *slot = true;
  }
  gates.push_back(GateAttr::get(parser.getContext(), name, rec, in, bias,
                                split, rbias));
  return success();
}

static ParseResult parseState(OpAsmParser &parser,
                              SmallVectorImpl<Attribute> &states) {
  StringAttr name;
  double init;
  if (parseName(parser, name) || parser.parseEqual() ||
      parser.parseFloat(init))
    return failure();
  bool recurrent = succeeded(parser.parseOptionalKeyword("recurrent"));
  Builder &b = parser.getBuilder();
  states.push_back(StateAttr::get(parser.getContext(), name,
                                  b.getF64FloatAttr(init), recurrent));
  return success();
}

static ParseResult parseConstant(OpAsmParser &parser,
                                 SmallVectorImpl<Attribute> &constants) {
  StringAttr name;
  double value;
  if (parseName(parser, name) || parser.parseEqual() ||
      parser.parseFloat(value))
    return failure();
  constants.push_back(ConstantAttr::get(
      parser.getContext(), name, parser.getBuilder().getF64FloatAttr(value)));
  return success();
}

ParseResult CellOp::parse(OpAsmParser &parser, OperationState &result) {
  Builder &b = parser.getBuilder();
  StringAttr symName;
  if (parser.parseSymbolName(symName, getSymNameAttrName(result.name),
                             result.attributes))
    return failure();

  SmallVector<Attribute> gates, states, constants;
  if (parser.parseKeyword("gates") ||
      parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Paren,
                                     [&] { return parseGate(parser, gates); }))
    return failure();
  if (parser.parseKeyword("states") ||
      parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Paren, [&] {
        return parseState(parser, states);
      }))
    return failure();
  if (succeeded(parser.parseOptionalKeyword("constants")) &&
      parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Paren, [&] {
        return parseConstant(parser, constants);
      }))
    return failure();
  result.addAttribute(getGatesAttrName(result.name), b.getArrayAttr(gates));
  result.addAttribute(getStatesAttrName(result.name), b.getArrayAttr(states));
  result.addAttribute(getConstantsAttrName(result.name),
                      b.getArrayAttr(constants));
  if (parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();

  SmallVector<OpAsmParser::Argument> args;
  if (parser.parseKeyword("body") ||
      parser.parseArgumentList(args, OpAsmParser::Delimiter::Paren,
                               /*allowType=*/true))
    return failure();
  Region *body = result.addRegion();
  return parser.parseRegion(*body, args);
}

void CellOp::print(OpAsmPrinter &p) {
  p << ' ';
  p.printSymbolName(getSymName());
  p << " gates(";
  llvm::interleaveComma(getGates().getAsRange<GateAttr>(), p, [&](GateAttr g) {
    p.printKeywordOrString(g.getName().getValue());
    p << ":";
    if (g.getRecurrent())
      p << " rec";
    if (g.getInput())
      p << " in";
    if (g.getBias())
      p << " bias";
    if (g.getSplit())
      p << " split";
    if (g.getRecurrentBias())
      p << " rbias";
  });
  p << ")";
  p.printNewline();
  p << "    states(";
  llvm::interleaveComma(getStates().getAsRange<StateAttr>(), p,
                        [&](StateAttr s) {
                          p.printKeywordOrString(s.getName().getValue());
                          p << " = ";
                          p.printFloat(s.getInit().getValue());
                          if (s.getRecurrent())
                            p << " recurrent";
                        });
  p << ")";
  if (!getConstants().empty()) {
    p << " constants(";
    llvm::interleaveComma(getConstants().getAsRange<ConstantAttr>(), p,
                          [&](ConstantAttr c) {
                            p.printKeywordOrString(c.getName().getValue());
                            p << " = ";
                            p.printFloat(c.getValue().getValue());
                          });
    p << ")";
  }
  p.printOptionalAttrDictWithKeyword(
      (*this)->getAttrs(), {getSymNameAttrName(), getGatesAttrName(),
                            getStatesAttrName(), getConstantsAttrName()});
  p.printNewline();
  p << "    body(";
  if (!getBody().empty())
    llvm::interleaveComma(getBody().getArguments(), p,
                          [&](BlockArgument a) { p.printRegionArgument(a); });
  p << ") ";
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false,
                /*printBlockTerminators=*/true);
}

//===----------------------------------------------------------------------===//
// CellOp: verification
//===----------------------------------------------------------------------===//

/// The description of body argument `index`, for diagnostics.
static std::string describeBodyArgument(CellOp cell, unsigned index) {
  unsigned i = 0;
  for (StateAttr s : cell.getStates().getAsRange<StateAttr>())
    if (i++ == index)
      return "state '" + s.getName().str() + "'";
  for (GateAttr g : cell.getGates().getAsRange<GateAttr>()) {
    if (!g.getSplit()) {
      if (i++ == index)
        return "gate '" + g.getName().str() + "'";
      continue;
    }
    if (i++ == index)
      return "input part of gate '" + g.getName().str() + "'";
    if (i++ == index)
      return "recurrent part of gate '" + g.getName().str() + "'";
  }
  for (ConstantAttr c : cell.getConstants().getAsRange<ConstantAttr>())
    if (i++ == index)
      return "constant '" + c.getName().str() + "'";
  return "argument #" + std::to_string(index);
}

static bool isScalar(Type t) { return t.isIntOrIndexOrFloat(); }

/// Checks one op of a cell body: element-wise, with a derivative rule, on f32.
static LogicalResult verifyBodyOp(CellOp cell, Operation *op) {
  StringRef name = op->getName().getStringRef();
  auto fail = [&]() {
    return op->emitOpError("in the body of cell '@")
           << cell.getSymName() << "' ";
  };
  bool elementwise = op->getNumRegions() == 0 &&
                     llvm::all_of(op->getOperandTypes(), isScalar) &&
                     llvm::all_of(op->getResultTypes(), isScalar) &&
                     op->getNumResults() == 1;
  const CellBodyOpInfo *info = lookupCellBodyOp(name);
  if (!elementwise)
    return fail() << "is not element-wise: a cell body computes on scalars, "
                     "one (batch, unit) element at a time";
  if (!info)
    return fail() << "has no derivative rule; supported ops are listed in "
                     "docs/DIALECT.md";

  Builder b(op->getContext());
  Type f32 = b.getF32Type(), i1 = b.getI1Type();
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    Type want = (name == "arith.select" && i == 0) ? i1 : f32;
    if (operand.getType() != want)
      return fail() << "has operand #" << i << " of type " << operand.getType()
                    << "; cell bodies compute in " << want;
  }
  Type wantResult = name == "arith.cmpf" ? i1 : f32;
  if (op->getResult(0).getType() != wantResult)
    return fail() << "has a result of type " << op->getResult(0).getType()
                  << "; cell bodies compute in " << wantResult;
  return success();
}

LogicalResult CellOp::verifyRegions() {
  // Names are unique across gates, states and constants: they name the
  // body's arguments and the manifest's entries.
  llvm::StringMap<StringRef> seen;
  auto declare = [&](StringAttr name, StringRef kind) -> LogicalResult {
    if (name.getValue().empty())
      return emitOpError() << "has a " << kind << " with an empty name";
    auto [it, inserted] = seen.try_emplace(name.getValue(), kind);
    if (!inserted)
      return emitOpError() << "declares the name '" << name.getValue()
                           << "' twice (as " << it->second << " and as "
                           << kind << ")";
    return success();
  };

  if (getGates().empty())
    return emitOpError() << "declares no gates";
  for (GateAttr g : getGates().getAsRange<GateAttr>()) {
    if (failed(declare(g.getName(), "gate")))
      return failure();
    StringRef n = g.getName().getValue();
    if (!g.getRecurrent() && !g.getInput() && !g.getBias())
      return emitOpError() << "gate '" << n
                           << "' has no recurrent part, no input part and no "
                              "bias (give it at least one of rec, in, bias)";
    if (g.getSplit() && !g.getRecurrent())
      return emitOpError() << "gate '" << n
                           << "' is split but has no recurrent part (rec)";
    if (g.getRecurrentBias() && !g.getSplit())
      return emitOpError()
             << "gate '" << n
             << "' has a recurrent bias (rbias) but is not split; a bias on "
                "the sum is just 'bias'";
  }
  if (getStates().empty())
    return emitOpError() << "declares no states";
  unsigned numRecurrent = 0;
  for (StateAttr s : getStates().getAsRange<StateAttr>()) {
    if (failed(declare(s.getName(), "state")))
      return failure();
    numRecurrent += s.getRecurrent();
  }
  if (numRecurrent != 1)
    return emitOpError() << "must mark exactly one state 'recurrent' (the "
                            "state that feeds R), found "
                         << numRecurrent;
  for (ConstantAttr c : getConstants().getAsRange<ConstantAttr>())
    if (failed(declare(c.getName(), "constant")))
      return failure();
  if (getNumRGates() == 0)
    return emitOpError() << "has no recurrent gate (rec): it is not a "
                            "recurrent cell";

  // The body's signature follows from the declarations.
  if (getBody().empty())
    return emitOpError() << "has an empty body";
  Block &block = getBody().front();
  if (block.empty() || !block.back().hasTrait<OpTrait::IsTerminator>())
    return emitOpError() << "body must end with flashrnn.yield";
  unsigned expected = getNumBodyArguments();
  if (block.getNumArguments() != expected)
    return emitOpError() << "body must take " << expected << " arguments ("
                         << getStates().size() << " states, "
                         << expected - getStates().size() -
                                getConstants().size()
                         << " gate values, " << getConstants().size()
                         << " constants), got " << block.getNumArguments();
  for (BlockArgument arg : block.getArguments())
    if (!arg.getType().isF32())
      return emitOpError() << "body argument #" << arg.getArgNumber() << " ("
                           << describeBodyArgument(*this, arg.getArgNumber())
                           << ") must be f32, got " << arg.getType();

  auto yield = dyn_cast<YieldOp>(block.getTerminator());
  if (!yield)
    return emitOpError() << "body must end with flashrnn.yield";
  if (yield.getValues().size() != getStates().size())
    return yield.emitOpError()
           << "yields " << yield.getValues().size()
           << " values but cell '@" << getSymName() << "' has "
           << getStates().size() << " states";
  for (auto [i, v] : llvm::enumerate(yield.getValues()))
    if (!v.getType().isF32())
      return yield.emitOpError()
             << "yields " << v.getType() << " for state '"
             << cast<StateAttr>(getStates()[i]).getName().getValue()
             << "'; states are f32";

  for (Operation &op : block.without_terminator())
    if (failed(verifyBodyOp(*this, &op)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// SequenceOp
//===----------------------------------------------------------------------===//

namespace {
/// Collects the sizes of the symbolic dimensions (B, T, NH, DH, ...) across
/// the op's tensors and reports the first disagreement with both culprits.
class DimensionTable {
public:
  explicit DimensionTable(Operation *op) : op(op) {}

  LogicalResult add(StringRef tensor, RankedTensorType type,
                    ArrayRef<StringRef> dims) {
    if (type.getRank() != int64_t(dims.size())) {
      std::string layout;
      llvm::raw_string_ostream os(layout);
      llvm::interleave(dims, os, ", ");
      return op->emitOpError() << tensor << " must have rank " << dims.size()
                               << " [" << layout << "], got " << type;
    }
    for (auto [i, dim] : llvm::enumerate(dims)) {
      int64_t size = type.getDimSize(i);
      if (ShapedType::isDynamic(size))
        continue;
      auto [it, inserted] = known.try_emplace(dim, size, tensor.str());
      if (!inserted && it->second.first != size)
        return op->emitOpError()
               << "dimension " << dim << " disagrees: " << it->second.second
               << " has " << it->second.first << " but " << tensor << " has "
               << size;
    }
    return success();
  }

  /// The static size of `dim`, or nullopt if every use was dynamic.
  std::optional<int64_t> get(StringRef dim) const {
    auto it = known.find(dim);
    if (it == known.end())
      return std::nullopt;
    return it->second.first;
  }

private:
  Operation *op;
  llvm::StringMap<std::pair<int64_t, std::string>> known;
};
} // namespace

LogicalResult SequenceOp::verify() {
  struct Named {
    StringRef name;
    Value value;
    SmallVector<StringRef> dims;
  };
  SmallVector<Named> tensors = {
      {"Wx", getWx(), {"B", "T", "Gw", "NH", "DH"}},
      {"R", getR(), {"Gr", "NH", "DH", "DH"}},
      {"b", getB(), {"Gb", "NH", "DH"}},
      {"states", getStates(), {"S", "B", "T", "NH", "DH"}},
      {"last", getLast(), {"S", "B", "NH", "DH"}}};
  if (getS0())
    tensors.push_back({"s0", getS0(), {"S", "B", "NH", "DH"}});

  Type elementType = cast<RankedTensorType>(getWx().getType()).getElementType();
  if (!isa<BFloat16Type, Float16Type, Float32Type>(elementType))
    return emitOpError() << "Wx has element type " << elementType
                         << "; supported element types are bf16, f16 and f32";
  DimensionTable table(*this);
  for (Named &t : tensors) {
    auto type = cast<RankedTensorType>(t.value.getType());
    if (type.getElementType() != elementType)
      return emitOpError() << t.name << " has element type "
                           << type.getElementType() << " but Wx has "
                           << elementType
                           << "; all tensors share one element type";
    if (failed(table.add(t.name, type, t.dims)))
      return failure();
  }
  // R's two DH dimensions and every gate/state dimension must be static: they
  // shape the kernel. B, T and NH are run-time values.
  for (StringRef dim : {"DH", "Gw", "Gr", "Gb", "S"})
    if (!table.get(dim))
      return emitOpError() << "dimension " << dim
                           << " must be static in at least one tensor";
  for (Named &t : tensors) {
    auto type = cast<RankedTensorType>(t.value.getType());
    for (auto [i, dim] : llvm::enumerate(t.dims))
      if ((dim == "DH" || dim[0] == 'G') && type.isDynamicDim(i))
        return emitOpError() << t.name << " dimension " << i << " (" << dim
                             << ") must be static";
  }
  return success();
}

LogicalResult
SequenceOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  Operation *target =
      symbolTable.lookupNearestSymbolFrom(*this, getCellAttr());
  if (!target)
    return emitOpError() << "refers to '@" << getCell()
                         << "', which is not defined";
  auto cell = dyn_cast<CellOp>(target);
  if (!cell)
    return emitOpError() << "'@" << getCell() << "' is a "
                         << target->getName() << ", not a flashrnn.cell";

  auto dim = [](Value v, unsigned i) {
    return cast<RankedTensorType>(v.getType()).getDimSize(i);
  };
  struct Count {
    const char *what;
    int64_t actual;
    unsigned expected;
    const char *meaning;
  };
  Count counts[] = {
      {"Wx dimension 2 (Gw)", dim(getWx(), 2), cell.getNumWxGates(),
       "gates with an input part (in)"},
      {"R dimension 0 (Gr)", dim(getR(), 0), cell.getNumRGates(),
       "gates with a recurrent part (rec)"},
      {"b dimension 0 (Gb)", dim(getB(), 0), cell.getNumBiasGates(),
       "bias rows (bias + rbias)"},
      {"states dimension 0 (S)", dim(getStates(), 0), cell.getNumStates(),
       "states"}};
  for (const Count &c : counts)
    if (c.actual != int64_t(c.expected))
      return emitOpError() << c.what << " is " << c.actual << " but cell '@"
                           << getCell() << "' has " << c.expected << " "
                           << c.meaning;
  return success();
}

//===----------------------------------------------------------------------===//
// ExchangeOp
//===----------------------------------------------------------------------===//

LogicalResult ExchangeOp::verify() {
  auto type = cast<MemRefType>(getBuffer().getType());
  int64_t k = getValues().size();
  if (k == 0)
    return emitOpError() << "exchanges no values";
  int64_t rows = getRows(), parts = getParts();
  if (rows < 1 || k % rows != 0)
    return emitOpError() << "exchanges " << k << " value(s) for " << rows
                         << " row(s); rows must be at least 1 and divide the "
                            "number of values";
  if (parts < 1 || parts > 2)
    return emitOpError() << "stores each value as " << parts
                         << " part(s); expected 1 or 2";
  Type element = type.getElementType();
  if (!element.isF32() && !element.isBF16() && !element.isF16())
    return emitOpError() << "needs an f32, bf16 or f16 buffer, got " << type;
  if (parts > 1 && element.isF32())
    return emitOpError() << "splits values into " << parts
                         << " parts, which needs a bf16 or f16 buffer, got "
                         << type;
  // [2, rows, DH] for one stored term, [2, rows, K * parts, DH] otherwise.
  int64_t terms = k * parts;
  bool oneValueLayout = terms == 1 && type.getRank() == 3;
  bool manyValueLayout =
      type.getRank() == 4 && type.getDimSize(2) == terms;
  if (!oneValueLayout && !manyValueLayout)
    return emitOpError() << "exchanges " << k << " value(s)"
                         << (parts > 1 ? " of " + std::to_string(parts) +
                                             " parts each"
                                       : std::string())
                         << " but the buffer is " << type
                         << "; expected [2, rows, DH] (one value) or [2, rows, "
                         << terms << ", DH]";
  return success();
}

#define GET_OP_CLASSES
#include "dialect/FlashRNNOps.cpp.inc"
