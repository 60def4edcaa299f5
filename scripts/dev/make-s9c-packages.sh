#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s9c.sh (dev machine, with MLIR): the
# default packages (bf16, f16) from the compiler at 91f359f (BUILD_DIR, one
# part of h and dg, 256 threads over the grid barrier) and f1-* from
# FOLD_COMPILER: the same with the training forward folding its inputs into
# the accumulators and reading them a step early where h has one part.
#
#   BUILD_DIR=/tmp/fcdir FOLD_COMPILER=/tmp/fc-fold bash scripts/dev/make-s9c-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
F=${FOLD_COMPILER:?a flashrnn-compile with the training fold}
P=gpu-packages
DTYPES="bf16 f16" NOMMA_CELLS="" OTHER_REDUCTIONS="" bash scripts/make-gpu-packages.sh > /dev/null
for c in lstm gru elman cifg_lstm; do
  $F examples/$c.mlir -q -o $P/f1-$c-bf16-dh64
  $F examples/$c.mlir -q --head-dim 256 -o $P/f1-$c-bf16-dh256
done
$F examples/lstm.mlir -q --dtype f16 -o $P/f1-lstm-f16-dh64
ls $P | wc -l; du -sh $P
