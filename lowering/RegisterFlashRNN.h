//===- RegisterFlashRNN.h - one registration entry point ------------------===//
#ifndef FLASHRNN_LOWERING_REGISTERFLASHRNN_H
#define FLASHRNN_LOWERING_REGISTERFLASHRNN_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::flashrnn {
/// Registers the flashrnn dialect and every upstream dialect and interface
/// the pipeline needs. Every tool calls this, so they all accept the same IR.
void registerFlashRNNDialects(DialectRegistry &registry);

/// Registers the project's passes and the upstream passes the pipeline uses
/// with the global pass registry (for flashrnn-opt's command line).
void registerFlashRNNPasses();
} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_REGISTERFLASHRNN_H
