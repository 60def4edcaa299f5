#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s10c.sh (dev machine, with MLIR): the
# one-CTA backward's time loop unrolled by two (u-*, this checkout) against
# the rolled one (s10-*, BASE_COMPILER: a flashrnn-compile built at e16bd6c).
#
#   BASE_COMPILER=/tmp/fc-s10 bash scripts/dev/make-s10c-packages.sh
#
# The measured u-* had every one-CTA backward with a prefetch unrolled; the
# committed compiler unrolls only a matmul of at most 8 k-tiles per warp
# (kUnrollMaxKTiles in MmaBackwardKernel.cpp: raise it to 64 to rebuild the
# measured u-lstm, u-gru, u-cifg_lstm, u-slstm and u-gru-128).
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${BUILD_DIR:-build}/bin/flashrnn-compile
B=${BASE_COMPILER:?a flashrnn-compile built at e16bd6c}
P=gpu-packages
rm -rf $P && mkdir -p $P
for c in lstm gru slstm elman cifg_lstm ligru janet; do
  $C examples/$c.mlir -q -o $P/u-$c-bf16-dh64
  $B examples/$c.mlir -q -o $P/s10-$c-bf16-dh64
done
$C examples/gru.mlir -q --head-dim 128 -o $P/u-gru-bf16-dh128
$B examples/gru.mlir -q --head-dim 128 -o $P/s10-gru-bf16-dh128
$C examples/lstm.mlir -q --dtype f16 -o $P/u-lstm-f16-dh64
ls $P | wc -l; du -sh $P
