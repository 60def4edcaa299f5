//===- flashrnn-compile.cpp - cell file to kernel package -----------------===//
//
// A thin driver over the same pipeline flashrnn-opt shows stage by stage:
// parse and verify the cell file, run the pipeline, and write the package
// (docs/PACKAGE.md) of its flashrnn.sequence.
//
//===----------------------------------------------------------------------===//
#include "dialect/FlashRNNOps.h"
#include "lowering/Package/ManifestEmitter.h"
#include "lowering/RegisterFlashRNN.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

using namespace mlir;
using namespace mlir::flashrnn;
namespace cl = llvm::cl;

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<cell file>"),
                                          cl::Required);
static cl::opt<std::string> outputDir("o", cl::desc("package directory to write"),
                                      cl::value_desc("dir"));
static cl::opt<std::string>
    cellName("cell", cl::desc("compile the sequence of this cell (needed when "
                              "the file has several sequences)"),
             cl::value_desc("name"));
static cl::opt<bool> emitManifest(
    "emit-manifest", cl::desc("print the manifest to stdout instead of writing "
                              "a package"));
static cl::opt<bool> quiet("q", cl::desc("print nothing on success"));

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

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(
      argc, argv, "FlashRNN-MLIR: compile a cell file into a kernel package\n");
  if (outputDir.empty() && !emitManifest)
    return fail("no output: give -o <package dir> or --emit-manifest");
  auto start = std::chrono::steady_clock::now();

  DialectRegistry registry;
  registerFlashRNNDialects(registry);
  MLIRContext context(registry);
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

  // The pipeline as it stands: clean up the cell bodies (nested on the cells,
  // so an unused sequence op is not folded away before it is compiled).
  PassManager pm(&context);
  OpPassManager &cellPM = pm.nest<CellOp>();
  cellPM.addPass(createCanonicalizerPass());
  cellPM.addPass(createCSEPass());
  if (failed(pm.run(*module)))
    return 1;

  FailureOr<SequenceOp> sequence = selectSequence(*module);
  if (failed(sequence))
    return 1;
  auto cell = SymbolTable::lookupNearestSymbolFrom<CellOp>(
      *sequence, sequence->getCellAttr());
  FailureOr<llvm::json::Object> manifest = buildManifest(*sequence, cell);
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

  auto ms = std::chrono::duration<double, std::milli>(
                std::chrono::steady_clock::now() - start)
                .count();
  if (!quiet)
    llvm::errs() << "flashrnn-compile: @" << cell.getSymName() << " -> "
                 << outputDir << " (" << llvm::format("%.1f", ms) << " ms)\n";
  return 0;
}
