#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s13c.sh: the scalar backward (R in
# shared memory) as 5c1567d built it (c10-*, BASE10_COMPILER) and as this
# checkout does, both with --no-mma (so the same kernels on both sides), for
# sLSTM 768 bf16 and LSTM 64 f32, and 5c1567d's runtime sources in
# gpu-packages/base-src.
#
#   BASE10_COMPILER=/tmp/base10/build/bin/flashrnn-compile \
#     bash scripts/dev/make-s13c-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${BASE10_COMPILER:?a flashrnn-compile built at 5c1567d}
P=gpu-packages
rm -rf $P && mkdir -p $P
$C examples/slstm.mlir -q --head-dim 768 --no-mma -o $P/c10-slstm-bf16-dh768
$C examples/lstm.mlir -q --dtype f32 -o $P/c10-lstm-f32-dh64
build/bin/flashrnn-compile examples/slstm.mlir -q --head-dim 768 --no-mma -o $P/slstm-bf16-dh768
build/bin/flashrnn-compile examples/lstm.mlir -q --dtype f32 -o $P/lstm-f32-dh64
mkdir -p $P/base-src
git archive 5c1567d runtime tools test/Runtime | tar -x -C $P/base-src
ls $P | wc -l; du -sh $P
