//===- KernelBuilder.h - shared pieces of the fused kernel builders -------===//
//
// The forward, backward and reduction kernels of a sequence are built by the
// classes here. They share how the cell's body arguments map onto the gate
// rows of Wx, R and b (CellLayout), how a kernel is declared (named
// arguments, schedule, launch description) and small emission helpers.
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_FUSETIMELOOP_KERNELBUILDER_H
#define FLASHRNN_LOWERING_FUSETIMELOOP_KERNELBUILDER_H

#include "dialect/FlashRNNOps.h"
#include "lowering/Common/KernelABI.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::flashrnn {

/// Where each of the cell body's gate values comes from.
struct CellLayout {
  explicit CellLayout(CellOp cell);

  unsigned numStates, numGateValues, numConstants, recurrentState;
  /// Per gate: the gate-value index (0 .. numGateValues-1) that receives its
  /// input part and its recurrent part (the same one for a gate that is not
  /// split), or -1.
  SmallVector<int> inputValue, recurrentValue;
  /// Per gate: its row in Wx, R, b (input bias) and b (recurrent bias), or -1.
  SmallVector<int> wxRow, rRow, biasRow, rbiasRow;
  /// Per gate value: whether it is the sum of both parts (not split).
  SmallVector<bool> isTotal;
};

/// The static sizes of a sequence: its element type, DH and the gate/state
/// dimensions of Wx, R, b and the states.
struct SequenceShape {
  explicit SequenceShape(SequenceOp sequence);
  Type elementType;
  int64_t headDim, wxGates, rGates, biasRows, states;
};

/// One kernel argument: its name (the manifest's) and type.
struct KernelArgSpec {
  StringRef name;
  Type type;
};

/// Emission helpers over one OpBuilder.
class KernelEmitter {
public:
  KernelEmitter(MLIRContext *ctx, Location loc, Type elementType)
      : b(ctx), loc(loc), elementType(elementType) {}

  Value cst(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value cstF32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  /// Loads one element and widens it to f32 (f32 memrefs load as they are).
  Value loadF32(Value memref, ValueRange indices);
  /// Narrows an f32 to the memref's element type and stores it.
  void storeF32(Value v, Value memref, ValueRange indices);
  /// Runs `body` only for threads whose batch row is valid.
  void ifValid(Value valid, llvm::function_ref<void()> body);

  /// Declares a kernel `name` in `module` with named arguments; the builder
  /// is left at the start of its body.
  gpu::GPUFuncOp createKernel(gpu::GPUModuleOp module, StringRef name,
                              ArrayRef<KernelArgSpec> args,
                              ScheduleAttr schedule, int64_t threads);

  /// A view of the dynamic shared memory at byte 0 with `shape` x f32.
  Value sharedF32(ArrayRef<int64_t> shape);
  /// A view of the dynamic shared memory at `byteOffset` with `shape` x
  /// `type`.
  Value sharedView(ArrayRef<int64_t> shape, Type type, int64_t byteOffset = 0);

  OpBuilder b;
  Location loc;
  Type elementType;
};

/// The arguments of the forward kernels (docs/PACKAGE.md, "Kernels"); in
/// training mode also saved_gates and saved_states.
SmallVector<KernelArgSpec> forwardKernelArgs(Builder &b,
                                             const SequenceShape &shape,
                                             const CellLayout &layout,
                                             bool training);

/// The arguments of the backward kernels (scalar and tensor-core).
SmallVector<KernelArgSpec> backwardKernelArgs(Builder &b,
                                              const SequenceShape &shape,
                                              const CellLayout &layout);

/// The arguments of the dR/db reduction kernels.
SmallVector<KernelArgSpec> reduceKernelArgs(Builder &b,
                                            const SequenceShape &shape,
                                            const CellLayout &layout);

/// Per gate, its input bias and its recurrent bias at (head, unit) of `b`,
/// widened to f32 (null where the gate has none). Loaded once, before the
/// time loop.
void loadBiases(KernelEmitter &em, CellOp cell, const CellLayout &layout,
                Value b, Value head, Value unit,
                SmallVectorImpl<Value> &inputBias,
                SmallVectorImpl<Value> &recurrentBias);

/// Per row k of R, the gate-value index of its recurrent part (which
/// dgates row dR[k] sums).
SmallVector<int64_t> recurrentRowValues(CellOp cell, const CellLayout &layout);

/// The (row of b, gate value) pairs whose gradient db sums.
SmallVector<std::pair<int64_t, int64_t>> biasGradientRows(
    CellOp cell, const CellLayout &layout);

/// A gate's input part: its Wx value plus its input bias, either one alone,
/// or null where it has neither.
Value gateInputPart(KernelEmitter &em, Value input, Value inputBias);

/// The body's gate values from each gate's parts, in the body's argument
/// order: `input(k)` gives gate k's input part (its Wx row, or null) and
/// `recurrent[k]` its matmul result (or null); the biases (null where the
/// gate has none) are added to the part they belong to.
SmallVector<Value> assembleGateValues(KernelEmitter &em, CellOp cell,
                                      const CellLayout &layout,
                                      llvm::function_ref<Value(size_t)> input,
                                      ArrayRef<Value> recurrent,
                                      ArrayRef<Value> inputBias,
                                      ArrayRef<Value> recurrentBias);

/// Clones the cell body at the builder's position with its states, gate
/// values and constants bound; returns the new states.
SmallVector<Value> applyCellBody(KernelEmitter &em, CellOp cell,
                                 ValueRange states, ArrayRef<Value> gateValues);

/// Clones the adjoint's body (flashrnn-derive-backward) at the builder's
/// position with its arguments bound in order: the states of the previous
/// step, the gate values, the constants, the gradients of the new states.
/// Returns the gradients of the previous states, then of the gate values.
SmallVector<Value> applyAdjoint(KernelEmitter &em, func::FuncOp adjoint,
                                ArrayRef<Value> previousStates,
                                ArrayRef<Value> gateValues,
                                ArrayRef<Value> constants,
                                ArrayRef<Value> stateGradients);

/// Stores one element's gate gradients: all of them into `dgates` (f32, for
/// the reduction) and the input parts into `dwx` (the element type).
void storeGateGradients(KernelEmitter &em, CellOp cell,
                        const CellLayout &layout, ArrayRef<Value> dGates,
                        Value dgates, Value dwx, Value batch, Value t,
                        Value head, Value unit);

/// The launch description of `kernel` (docs/PACKAGE.md, "Kernels"), built
/// from its signature: kept on the sequence op until the package is written.
DictionaryAttr describeKernel(gpu::GPUFuncOp kernel, StringRef kind,
                              ScheduleAttr schedule, ArrayRef<Attribute> grid,
                              int64_t threads, int64_t sharedBytes,
                              bool cooperative);

/// Builds the forward kernel; in training mode it also saves, per step, the
/// gate values ("saved_gates") and the new states ("saved_states") in f32.
gpu::GPUFuncOp buildForwardKernel(gpu::GPUModuleOp module, StringRef name,
                                  SequenceOp sequence, CellOp cell,
                                  ScheduleAttr schedule, bool training);

/// Builds the tensor-core forward kernel (schedule rPlacement "registers"):
/// a head in one CTA or over ctasPerHead CTAs, mma.sync m16n8k16 for
/// R . h_{t-1} with R's fragments loaded in the time loop
/// (flashrnn-cache-recurrent-weights hoists them into registers), two (unit,
/// batch row) elements per thread, K split over S warps per 8 units.
gpu::GPUFuncOp buildMmaForwardKernel(gpu::GPUModuleOp module, StringRef name,
                                     SequenceOp sequence, CellOp cell,
                                     ScheduleAttr schedule, bool training);

/// Builds the persistent backward kernel: a reverse time loop that runs the
/// cell's adjoint (`adjoint`, from flashrnn-derive-backward) per element,
/// writes dWx and the gate gradients, and forms dh_{t-1} = R^T dg_t. It
/// publishes its progress (BackwardProgress.h) once, at the end, whatever
/// `publishSteps` says.
gpu::GPUFuncOp buildBackwardKernel(gpu::GPUModuleOp module, StringRef name,
                                   SequenceOp sequence, CellOp cell,
                                   func::FuncOp adjoint,
                                   ScheduleAttr schedule, bool publishSteps);

/// Builds the backward for a schedule with rPlacement "registers"
/// (MmaBackwardKernel.cpp): dh = R^T dg on tensor cores, R^T's fragments in
/// registers, four (unit, batch row) elements per thread; a head in one CTA
/// (2 DH threads) or over ctasPerHead CTAs, K split over S warps per 16
/// units. With `publishSteps` it publishes its progress every
/// kProgressPeriod steps (for a reduction beside it), else only at the end.
gpu::GPUFuncOp buildMmaBackwardKernel(gpu::GPUModuleOp module, StringRef name,
                                      SequenceOp sequence, CellOp cell,
                                      func::FuncOp adjoint,
                                      ScheduleAttr schedule, bool publishSteps);

/// Threads per block of the reduction kernel.
constexpr int64_t kReduceThreads = 256;

/// Builds the kernel that reduces the saved gate gradients over batch and
/// time into dR = sum dg_t h_{t-1}^T and db, accumulating in f32.
gpu::GPUFuncOp buildReduceKernel(gpu::GPUModuleOp module, StringRef name,
                                 SequenceOp sequence, CellOp cell);

/// Slices of the B x T sum in the sliced reduction kernel.
constexpr int64_t kReduceSlices = 4;

/// Builds the reduction with the B x T sum split into kReduceSlices slices
/// per output element (SlicedReduceKernel.cpp); its grid is
/// ceil(DH^2 / (kReduceThreads / kReduceSlices)) blocks per head and it needs
/// `sharedBytes` of dynamic shared memory.
gpu::GPUFuncOp buildSlicedReduceKernel(gpu::GPUModuleOp module, StringRef name,
                                       SequenceOp sequence, CellOp cell,
                                       int64_t &sharedBytes);

/// The reduction as a tensor-core GEMM (MmaReduceKernel.cpp): tiles of
/// dR x slices of steps per head, mma.sync m16n8k8 on tf32, partial tiles
/// summed in the `partial` workspace; each slice waits for the progress of
/// the backward built with `backwardSchedule` (BackwardProgress.h), so that
/// it can run beside it. Its launch: mmaReduceBlocksPerHead blocks per head
/// of mmaReduceThreads threads, mmaReduceSharedBytes of dynamic shared
/// memory. `mmaReduceFits` says whether the workspace's counters cover its
/// tiles (DH up to about 4600).
gpu::GPUFuncOp buildMmaReduceKernel(gpu::GPUModuleOp module, StringRef name,
                                    SequenceOp sequence, CellOp cell,
                                    ScheduleAttr backwardSchedule);
int64_t mmaReduceBlocksPerHead(int64_t numGateValues, int64_t headDim);
int64_t mmaReduceThreads();
int64_t mmaReduceSharedBytes();
bool mmaReduceFits(int64_t numGateValues, int64_t headDim);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_FUSETIMELOOP_KERNELBUILDER_H
