#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s10b.sh (dev machine, with MLIR): the
# default packages (bf16, f16) of this checkout (paired units without K
# slices; rowSplit = 2 where the planner chooses it), base-* from
# BASE_COMPILER (a flashrnn-compile built at aa56052), and rs-* / one-* with
# --backward-row-split 2 / 1 where the planner chose the other.
#
#   BASE_COMPILER=/tmp/fc-base bash scripts/dev/make-s10b-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${BUILD_DIR:-build}/bin/flashrnn-compile
B=${BASE_COMPILER:?a flashrnn-compile built at aa56052}
P=gpu-packages
DTYPES="bf16 f16" NOMMA_CELLS="" OTHER_REDUCTIONS="" bash scripts/make-gpu-packages.sh > /dev/null
for c in lstm gru slstm elman cifg_lstm ligru janet; do
  $B examples/$c.mlir -q -o $P/base-$c-bf16-dh64
done
$B examples/gru.mlir -q --head-dim 128 -o $P/base-gru-bf16-dh128
for c in cifg_lstm ligru janet; do
  $C examples/$c.mlir -q --backward-row-split 2 -o $P/rs-$c-bf16-dh64
done
for c in slstm elman; do
  $C examples/$c.mlir -q --backward-row-split 1 -o $P/one-$c-bf16-dh64
done
$C examples/elman.mlir -q --head-dim 32 -o $P/elman-bf16-dh32
$C examples/slstm.mlir -q --head-dim 48 -o $P/slstm-bf16-dh48
ls $P | wc -l; du -sh $P
