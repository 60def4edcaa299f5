//===- TaggedWords.h - values exchanged with their step's tag --*- C++ -*-===//
//
// The exchange of a step's values across the CTAs of a head without a grid
// barrier (schedule `taggedExchange`). A value crosses as one 32-bit word in
// global memory: its 16 bits (bf16 or f16, as the reader's matmul takes it)
// in the low half, the tag of the exchange in the high half. A reader polls
// its words (16-byte loads, four words each) until every one carries the
// tag it waits for; the data comes with the tag in one single-copy-atomic
// access, so no fence orders them and the step's one round trip through L2
// replaces the barrier's (fence, atomic, spin, fence) and the gather after
// it. Double buffering (slot = epoch mod 2) suffices without a barrier
// because every CTA reads every other's words: a CTA can only write slot s
// of exchange e + 2 after reading everyone's exchange e + 1, which each
// wrote after its reads of exchange e from slot s had completed.
//
// The tag of exchange e is (e mod 65535) + 1: never 0, so that a cleared
// word is never taken for a value, and different from the tag of e - 2,
// the word the slot held before. The kernel clears its own words once at
// its start and then meets the others at one grid barrier, so a word left
// by an earlier launch is never read as this one's.
//
//===----------------------------------------------------------------------===//
#ifndef FLASHRNN_LOWERING_COMMON_TAGGEDWORDS_H
#define FLASHRNN_LOWERING_COMMON_TAGGEDWORDS_H

#include "mlir/IR/Builders.h"

namespace mlir::flashrnn {

/// The tag of exchange `epoch` (index), shifted into the high half (i32).
Value exchangeTagBits(OpBuilder &b, Location loc, Value epoch);

/// The address of element `indices` of `memref` (global memory, any
/// strided layout) as !llvm.ptr<1>.
Value globalElementAddress(OpBuilder &b, Location loc, Value memref,
                           ValueRange indices);

/// Stores `value` (f32) rounded to `element` (bf16 or f16) with `tagBits`
/// as one tagged word at `address` (!llvm.ptr<1>), volatile so that it goes
/// to L2 at once.
void storeTaggedWord(OpBuilder &b, Location loc, Value value, Type element,
                     Value tagBits, Value address);

/// Polls the 16-byte runs of four tagged words at `addresses` (!llvm.ptr<1>,
/// 16-byte aligned), all loads of a round issued together, until every run
/// whose `wanted` (i1) holds carries `tagBits` in each word; traps after
/// about 2^26 rounds (a peer that never arrives). Returns per run its four
/// values as vector<4 x element>.
SmallVector<Value> pollTaggedRuns(OpBuilder &b, Location loc,
                                  ArrayRef<Value> addresses,
                                  ArrayRef<Value> wanted, Value tagBits,
                                  Type element);

} // namespace mlir::flashrnn

#endif // FLASHRNN_LOWERING_COMMON_TAGGEDWORDS_H
