#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s10a.sh (dev machine, with MLIR): the
# default packages (bf16, f16) of this checkout (the backward's paired units),
# base-* from BASE_COMPILER (a flashrnn-compile built at aa56052, before the
# pairs), rs-* with --backward-row-split 2 (two warps per group of units),
# and grid-* (--no-clusters: the paired dg through the global exchange).
#
#   BASE_COMPILER=/tmp/fc-base bash scripts/dev/make-s10a-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${BUILD_DIR:-build}/bin/flashrnn-compile
B=${BASE_COMPILER:?a flashrnn-compile built at aa56052}
P=gpu-packages
DTYPES="bf16 f16" NOMMA_CELLS="" OTHER_REDUCTIONS="" bash scripts/make-gpu-packages.sh > /dev/null
for c in lstm gru slstm elman; do
  $B examples/$c.mlir -q -o $P/base-$c-bf16-dh64
done
$B examples/lstm.mlir -q --head-dim 256 -o $P/base-lstm-bf16-dh256
$B examples/elman.mlir -q --head-dim 256 -o $P/base-elman-bf16-dh256
$B examples/gru.mlir -q --head-dim 128 -o $P/base-gru-bf16-dh128
for c in lstm gru slstm elman cifg_lstm ligru janet; do
  $C examples/$c.mlir -q --backward-row-split 2 -o $P/rs-$c-bf16-dh64
done
$C examples/lstm.mlir -q --backward-row-split 2 --dtype f16 -o $P/rs-lstm-f16-dh64
$C examples/lstm.mlir -q --backward-row-split 2 --head-dim 48 -o $P/rs-lstm-bf16-dh48
$C examples/gru.mlir -q --backward-row-split 2 --head-dim 32 -o $P/rs-gru-bf16-dh32
$C examples/lstm.mlir -q --backward-row-split 2 --backward-dg-parts 2 -o $P/rs2-lstm-bf16-dh64
$C examples/elman.mlir -q --no-clusters --head-dim 256 -o $P/grid-elman-bf16-dh256
$C examples/gru.mlir -q --no-clusters --head-dim 256 -o $P/grid-gru-bf16-dh256
ls $P | wc -l; du -sh $P
