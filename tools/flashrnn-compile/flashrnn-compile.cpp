//===- flashrnn-compile.cpp - cell file to kernel package -----------------===//
//
// A thin driver over the same pipeline flashrnn-opt shows stage by stage:
// parse and verify the cell file, run the pipeline, and write the package
// (docs/PACKAGE.md) of its flashrnn.sequence.
//
//===----------------------------------------------------------------------===//
#include "dialect/FlashRNNOps.h"
#include "lowering/Common/KernelABI.h"
#include "lowering/Package/ManifestEmitter.h"
#include "lowering/Package/SpecializeSequence.h"
#include "lowering/Passes.h"
#include "lowering/RegisterFlashRNN.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

using namespace mlir;
using namespace mlir::flashrnn;
namespace cl = llvm::cl;

// The tool's own options: --help lists these, not the hundreds LLVM's
// backends register.
static cl::OptionCategory compileOptions("flashrnn-compile options");

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<cell file>"),
                                          cl::Required,
    cl::cat(compileOptions));
static cl::opt<std::string> outputDir("o", cl::desc("package directory to write"),
                                      cl::value_desc("dir"),
    cl::cat(compileOptions));
static cl::opt<std::string>
    cellName("cell", cl::desc("compile the sequence of this cell (needed when "
                              "the file has several sequences)"),
             cl::value_desc("name"),
    cl::cat(compileOptions));
static cl::opt<bool> emitManifest(
    "emit-manifest", cl::desc("print the manifest to stdout instead of writing "
                              "a package"),
    cl::cat(compileOptions));
static cl::opt<bool> quiet("q", cl::desc("print nothing on success"),
    cl::cat(compileOptions));
static cl::opt<bool> inferenceOnly(
    "inference-only",
    cl::desc("build the inference forward kernel only (no training-mode "
             "forward, no backward kernels)"),
    cl::cat(compileOptions));
static cl::opt<bool> cpuOnly(
    "cpu-only", cl::desc("write no GPU kernels (the package runs on the CPU "
                         "reference only)"),
    cl::cat(compileOptions));
static cl::opt<std::string> chip("chip", cl::desc("target chip"),
                                 cl::init("sm_90"),
    cl::cat(compileOptions));
static cl::opt<int64_t> batchTile("batch-tile",
                                  cl::desc("batch rows per thread block"),
                                  cl::init(8),
    cl::cat(compileOptions));
static cl::opt<bool> noMma(
    "no-mma", cl::desc("never use the tensor-core forward (R in registers, "
                       "mma.sync); always the scalar one with R in shared "
                       "memory"),
    cl::cat(compileOptions));
static cl::opt<bool> noClusters(
    "no-clusters",
    cl::desc("split tensor-core heads over CTAs with a grid barrier only, "
             "never as a thread-block cluster"),
    cl::cat(compileOptions));
static cl::opt<bool> taggedExchange(
    "tagged-exchange",
    cl::desc("exchange h across the CTAs of a split tensor-core forward as "
             "tagged words that the readers poll, with no grid barrier per "
             "step (default: around the barrier, faster on the H200)"),
    cl::cat(compileOptions));
static cl::opt<std::string> clusterExchange(
    "cluster-exchange",
    cl::desc("how h crosses the CTAs of a thread-block cluster in the "
             "tensor-core forward: 'barrier' (stores into every CTA's shared "
             "memory, one cluster barrier per step) or 'async' (st.async, "
             "whose bytes complete on the receiver's mbarrier)"),
    cl::value_desc("barrier|async"), cl::init("async"),
    cl::cat(compileOptions));
static cl::opt<int64_t> maxClusterCtas(
    "max-cluster-ctas",
    cl::desc("on sm_90, the most CTAs of a non-portable thread-block cluster "
             "for a tensor-core forward head that does not fit 8 CTAs with R "
             "in registers (R is then split between registers and shared "
             "memory); 8 turns such clusters off"),
    cl::value_desc("N"), cl::init(16), cl::cat(compileOptions));
static cl::opt<int64_t> forwardSharedRTiles(
    "forward-shared-r-tiles",
    cl::desc("in such a cluster's forward, keep this many k-tiles of each K "
             "slice's R in shared memory, bypassing the register estimate "
             "(for measurement with ptxas -v; default: the planner's choice)"),
    cl::value_desc("N"), cl::init(-1), cl::cat(compileOptions));
static cl::opt<bool> noBatchVariants(
    "no-batch-variants",
    cl::desc("one forward per package: no second forward planned as a "
             "thread-block cluster for runs of many (head, batch tile) "
             "pairs, where the first is over a grid barrier"),
    cl::cat(compileOptions));
static cl::opt<bool> noStagedStores(
    "no-staged-stores",
    cl::desc("store the tensor-core kernels' per-step outputs straight from "
             "each thread (default: staged in shared memory and written a "
             "step later as whole 16-byte runs)"),
    cl::cat(compileOptions));
static cl::opt<int64_t> forwardKSlices(
    "forward-k-slices",
    cl::desc("the fewest warps that share each group of units' K dimension "
             "in the tensor-core forward (default 1: as few as fit)"),
    cl::init(1), cl::cat(compileOptions));
static cl::opt<int64_t> backwardKSlices(
    "backward-k-slices",
    cl::desc("the same for the tensor-core backward"), cl::init(1),
    cl::cat(compileOptions));
static cl::opt<int64_t> trainingHParts(
    "training-h-parts",
    cl::desc("element-type terms of h in the tensor-core training forward's "
             "matmul: 1, or 2 (hi + lo, about 16 bits); default: 1 where the "
             "cell body is smooth (no exp, max, div, ...), else 2"),
    cl::init(0), cl::cat(compileOptions));
static cl::opt<int64_t> backwardDgParts(
    "backward-dg-parts",
    cl::desc("element-type terms of dg in the tensor-core backward's "
             "matmul: 1, or 2 (hi + lo); default 1"),
    cl::init(0), cl::cat(compileOptions));
static cl::opt<int64_t> backwardRowSplit(
    "backward-row-split",
    cl::desc("warps per group of 16 units in the tensor-core backward of a "
             "head in one CTA: 2 (both run the group's matmul, each adjoins "
             "half of its elements), or 1; default: the planner's choice"),
    cl::init(0), cl::cat(compileOptions));
static cl::opt<bool> preciseMath(
    "precise-math",
    cl::desc("keep libdevice's tanh and the exact sigmoid in bf16/f16 kernels "
             "(default: tanh.approx.f32, see flashrnn-approximate-math)"),
    cl::cat(compileOptions));
static cl::opt<std::string> reduction(
    "reduction",
    cl::desc("the dR/db reduction kernel: mma (a tensor-core GEMM over B x T; "
             "bf16/f16), sliced (four slices of the B x T sum per element), "
             "serial (one chain per element); default: mma for bf16/f16, "
             "sliced otherwise, and sliced with --no-mma"),
    cl::init(""),
    cl::cat(compileOptions));
static cl::opt<std::string> dtypeOption(
    "dtype", cl::desc("compile the cell for this element type (bf16, f16, "
                      "f32) instead of the sequence's"),
    cl::cat(compileOptions));
static cl::opt<int64_t> headDimOption(
    "head-dim", cl::desc("compile the cell for this head dimension instead "
                         "of the sequence's"),
    cl::init(0),
    cl::cat(compileOptions));
static cl::opt<std::string> cudaToolkit(
    "cuda-toolkit",
    cl::desc("CUDA toolkit whose libdevice the kernels link (default: "
             "$CUDA_HOME or /usr/local/cuda)"),
    cl::cat(compileOptions));

static std::string toolkitPath() {
  if (!cudaToolkit.empty())
    return cudaToolkit;
  if (const char *home = std::getenv("CUDA_HOME"))
    return home;
  return "/usr/local/cuda";
}

static int fail(const llvm::Twine &message) {
  llvm::errs() << "flashrnn-compile: error: " << message << "\n";
  return 1;
}

/// The sequence op to compile: the only one, or the one of `--cell`.
static FailureOr<SequenceOp> selectSequence(ModuleOp module) {
  SmallVector<SequenceOp> found;
  module.walk([&](SequenceOp op) {
    if (cellName.empty() || op.getCell() == cellName)
      found.push_back(op);
  });
  if (found.empty()) {
    fail(cellName.empty()
             ? "'" + inputFilename + "' has no flashrnn.sequence: nothing to "
                                     "compile"
             : "'" + inputFilename + "' has no flashrnn.sequence of cell '@" +
                   cellName + "'");
    return failure();
  }
  if (found.size() > 1) {
    fail("'" + inputFilename + "' has " + llvm::Twine(found.size()) +
         " flashrnn.sequence ops; pick one with --cell");
    return failure();
  }
  return found.front();
}

/// One line on how a kernel runs: the matmul, where R lives, the split of a
/// head over CTAs and the synchronisation per step.
static std::string describeSchedule(ScheduleAttr s, bool forward,
                                    bool training) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (s.getRPlacement() == "registers" && s.getSharedRTiles() > 0)
    os << "tensor cores (mma.sync), R in registers but the last "
       << s.getSharedRTiles()
       << " k-tile(s) of each K slice, which are in shared memory";
  else if (s.getRPlacement() == "registers")
    os << "tensor cores (mma.sync), R in registers";
  else if (s.getRPlacement() == "global")
    os << "scalar FMA matmul, R read from global memory every step (slow)";
  else
    os << "scalar FMA matmul, R in shared memory";
  os << "; " << s.getCtasPerHead() << " CTA(s) of " << s.getThreads()
     << " threads per head and " << s.getBatchTile() << " batch rows, "
     << s.getSharedBytes() << " B shared; "
     << (s.getCluster() && s.getCtasPerHead() > 8
             ? "one non-portable thread-block cluster per head "
             : s.getCluster() ? "one thread-block cluster per head "
                              : "")
     << (s.getCluster() && s.getAsyncExchange()
             ? "(distributed shared memory), h by st.async completing on an "
               "mbarrier per slot, no cluster barrier per step"
         : s.getCluster()     ? "(distributed shared memory), a cluster "
                                "barrier per step"
         : s.getGridBarrier() ? "a grid barrier per step"
                              : "a block barrier per step");
  if (s.getStagedStores())
    os << "; per-step outputs staged in shared memory, stored as 16-byte "
          "runs"
       << (forward ? " (inference: only with 3+ output rows per element)"
                   : "");
  if (s.getRPlacement() == "registers" && training)
    os << "; " << (forward ? "training h" : "dg") << " in the matmul "
       << (s.getRecurrentParts() == 1 ? "as one element-type term"
                                      : "as hi + lo terms");
  if (!forward && s.getRowSplit() == 2)
    os << "; two warps per group of units, one batch row of each lane each";
  return text;
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(compileOptions);
  cl::ParseCommandLineOptions(
      argc, argv, "FlashRNN-MLIR: compile a cell file into a kernel package\n");
  if (outputDir.empty() && !emitManifest)
    return fail("no output: give -o <package dir> or --emit-manifest");
  auto start = std::chrono::steady_clock::now();

  DialectRegistry registry;
  registerFlashRNNDialects(registry);
  MLIRContext context(registry);
  // Diagnostics name the op and point at the source line; a dump of the
  // (partly lowered) op after each one helps compiler developers
  // (flashrnn-opt keeps it) but buries the message for users.
  context.printOpOnDiagnostic(false);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  std::string errorMessage;
  auto file = openInputFile(inputFilename, &errorMessage);
  if (!file)
    return fail("cannot read '" + inputFilename + "': " + errorMessage);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // The parser or the verifier has reported why.

  // --dtype / --head-dim: compile the selected sequence's cell for other
  // types, in a fresh module.
  if (!dtypeOption.empty() || headDimOption != 0) {
    FailureOr<SequenceOp> original = selectSequence(*module);
    if (failed(original))
      return 1;
    auto wxType = cast<RankedTensorType>(original->getWx().getType());
    Type elementType = wxType.getElementType();
    Builder b(&context);
    if (!dtypeOption.empty()) {
      elementType = llvm::StringSwitch<Type>(dtypeOption)
                        .Case("bf16", b.getBF16Type())
                        .Case("f16", b.getF16Type())
                        .Case("f32", b.getF32Type())
                        .Default(Type());
      if (!elementType)
        return fail("--dtype must be bf16, f16 or f32, got '" + dtypeOption +
                    "'");
    }
    int64_t headDim = headDimOption != 0 ? int64_t(headDimOption)
                                         : wxType.getDimSize(4);
    if (headDim < 1 || headDim > 65536)
      return fail("--head-dim must be in [1, 65536], got " +
                  llvm::Twine(headDim));
    auto cell = SymbolTable::lookupNearestSymbolFrom<CellOp>(
        *original, original->getCellAttr());
    module = specializeSequence(*original, cell, elementType, headDim);
    if (failed(verify(*module)))
      return 1;
  }

  // Clean up the cell bodies (nested on the cells, so an unused sequence op
  // is not folded away before it is compiled), then lower to PTX.
  PassManager pm(&context);
  OpPassManager &cellPM = pm.nest<CellOp>();
  cellPM.addPass(createCanonicalizerPass());
  cellPM.addPass(createCSEPass());
  if (cpuOnly || inferenceOnly)
    pm.addPass(createFlashRNNDeriveBackward());
  if (!cpuOnly) {
    PtxPipelineOptions options;
    options.chip = chip;
    options.batchTile = batchTile;
    options.training = !inferenceOnly;
    options.mma = !noMma;
    options.clusters = !noClusters;
    options.taggedExchange = taggedExchange;
    options.clusterExchange = clusterExchange;
    options.maxClusterCtas = maxClusterCtas;
    options.forwardSharedRTiles = forwardSharedRTiles;
    options.batchVariants = !noBatchVariants;
    options.stagedStores = !noStagedStores;
    options.forwardKSlices = forwardKSlices;
    options.backwardKSlices = backwardKSlices;
    options.trainingHParts = trainingHParts;
    options.backwardDgParts = backwardDgParts;
    options.backwardRowSplit = backwardRowSplit;
    options.approximateMath = !preciseMath;
    options.reduction =
        !reduction.empty() ? std::string(reduction) : noMma ? "sliced" : "auto";
    options.cudaToolkit = toolkitPath();
    llvm::SmallString<256> libdevice(options.cudaToolkit);
    llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
    if (!llvm::sys::fs::exists(libdevice))
      return fail("no CUDA libdevice at '" + libdevice +
                  "'; point --cuda-toolkit (or CUDA_HOME) at a CUDA toolkit, "
                  "or pass --cpu-only for a package without GPU kernels");
    buildSequenceToPtxPipeline(pm, options);
  }
  if (failed(pm.run(*module)))
    return 1;

  FailureOr<SequenceOp> sequence = selectSequence(*module);
  if (failed(sequence))
    return 1;
  auto cell = SymbolTable::lookupNearestSymbolFrom<CellOp>(
      *sequence, sequence->getCellAttr());
  std::optional<PackagedKernels> kernels;
  if (!cpuOnly) {
    FailureOr<PackagedKernels> extracted = extractKernels(*sequence);
    if (failed(extracted))
      return 1;
    kernels = std::move(*extracted);
  }
  FailureOr<llvm::json::Object> manifest =
      buildManifest(*sequence, cell, kernels ? &*kernels : nullptr);
  if (failed(manifest))
    return 1;
  llvm::json::Value value(std::move(*manifest));

  if (emitManifest) {
    llvm::outs() << llvm::formatv("{0:2}", value) << "\n";
    return 0;
  }
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail("cannot create package directory '" + outputDir +
                "': " + ec.message());
  llvm::SmallString<256> path(outputDir);
  llvm::sys::path::append(path, "manifest.json");
  auto out = openOutputFile(path, &errorMessage);
  if (!out)
    return fail("cannot write '" + path + "': " + errorMessage);
  out->os() << llvm::formatv("{0:2}", value) << "\n";
  out->keep();
  if (kernels) {
    llvm::SmallString<256> ptxPath(outputDir);
    llvm::sys::path::append(ptxPath, kernels->ptxFile);
    auto ptx = openOutputFile(ptxPath, &errorMessage);
    if (!ptx)
      return fail("cannot write '" + ptxPath + "': " + errorMessage);
    ptx->os() << kernels->ptx;
    ptx->keep();
  }

  auto ms = std::chrono::duration<double, std::milli>(
                std::chrono::steady_clock::now() - start)
                .count();
  if (!quiet)
    llvm::errs() << "flashrnn-compile: @" << cell.getSymName() << " -> "
                 << outputDir << " ("
                 << (cpuOnly ? std::string("CPU only")
                             : std::to_string(kernels->descriptions.size()) +
                                   " kernels for " + chip)
                 << ", " << llvm::format("%.1f", ms) << " ms)\n";
  if (!quiet && !cpuOnly) {
    if (auto forward = (*sequence)->getAttrOfType<ScheduleAttr>(
            "flashrnn.schedule"))
      llvm::errs() << "  forward:  " << describeSchedule(forward, true, !inferenceOnly) << "\n";
    if (auto variants = (*sequence)->getAttrOfType<ArrayAttr>(
            kBatchVariantsAttrName))
      for (auto v : variants.getAsRange<BatchVariantAttr>())
        llvm::errs() << "  forward from " << v.getMinHeadTiles()
                     << " (head, batch tile) pairs (NH x ceil(B / "
                     << v.getSchedule().getBatchTile()
                     << ")): " << describeSchedule(v.getSchedule(), true,
                                                   !inferenceOnly)
                     << "\n";
    if (auto backward = (*sequence)->getAttrOfType<ScheduleAttr>(
            "flashrnn.backward_schedule"))
      llvm::errs() << "  backward: " << describeSchedule(backward, false, true) << "\n";
    if (auto reduction =
            (*sequence)->getAttrOfType<StringAttr>("flashrnn.reduction")) {
      StringRef kind = reduction.getValue();
      llvm::errs() << "  reduce:   "
                   << (kind == "mma"
                           ? "tensor cores (tf32 mma.sync), dR and db as a "
                             "GEMM over B x T split over CTAs"
                       : kind == "sliced"
                           ? "scalar, the B x T sum in four slices per element"
                           : "scalar, one B x T chain per element")
                   << "\n";
    }
  }
  return 0;
}
