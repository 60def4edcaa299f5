#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s9a.sh (dev machine, with MLIR): the
# one-part training kernels (recurrentParts = 1) against two parts.
#   new-*   the planner's choice (one part for a smooth cell body)
#   two-*   --training-h-parts 2 --backward-dg-parts 2 (the eighth session's)
#   dg1-*   sLSTM, Li-GRU: two parts of h, one of dg (--backward-dg-parts 1)
#   h1-*    sLSTM, Li-GRU: one part of h (--training-h-parts 1), the case that
#           failed the gradient check in the third session
#   c4-*    LSTM, GRU, Elman 64 and 256 from C4_COMPILER (default: this
#           checkout's): the one-part backward with four K chains
#
#   bash scripts/dev/make-s9a-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${BUILD_DIR:-build}/bin/flashrnn-compile
P=gpu-packages
rm -rf $P && mkdir -p $P
for c in lstm gru elman; do
  for d in 64 256 768; do
    $C examples/$c.mlir -q --head-dim $d -o $P/new-$c-bf16-dh$d
    $C examples/$c.mlir -q --head-dim $d --training-h-parts 2 --backward-dg-parts 2 -o $P/two-$c-bf16-dh$d
  done
done
for c in cifg_lstm janet; do
  $C examples/$c.mlir -q -o $P/new-$c-bf16-dh64
done
$C examples/lstm.mlir -q --head-dim 128 -o $P/new-lstm-bf16-dh128
$C examples/lstm.mlir -q --dtype f16 -o $P/new-lstm-f16-dh64
$C examples/lstm.mlir -q --dtype f16 --head-dim 768 -o $P/new-lstm-f16-dh768
for c in slstm ligru; do
  $C examples/$c.mlir -q -o $P/two-$c-bf16-dh64
  $C examples/$c.mlir -q --backward-dg-parts 1 -o $P/dg1-$c-bf16-dh64
  $C examples/$c.mlir -q --training-h-parts 1 -o $P/h1-$c-bf16-dh64
done
$C examples/slstm.mlir -q --head-dim 256 --backward-dg-parts 1 -o $P/dg1-slstm-bf16-dh256
$C examples/slstm.mlir -q --head-dim 256 -o $P/two-slstm-bf16-dh256
C4=${C4_COMPILER:-$C}
for c in lstm gru elman; do
  $C4 examples/$c.mlir -q -o $P/c4-$c-bf16-dh64
  $C4 examples/$c.mlir -q --head-dim 256 -o $P/c4-$c-bf16-dh256
done
ls $P | wc -l; du -sh $P
