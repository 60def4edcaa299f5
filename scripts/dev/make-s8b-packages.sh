#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s8b.sh (dev machine, with MLIR): base-*
# from a compiler built at 703900b (the split backward without its prefetch;
# BASE_COMPILER, e.g. a worktree's build/bin/flashrnn-compile), new-* and
# nbk2-* (two backward K slices) from this checkout's, plus the default and
# bk2-* (base, two slices) 64x12 packages gpu-run-s8b.sh times next to them.
#
#   BASE_COMPILER=/tmp/base/build/bin/flashrnn-compile bash scripts/dev/make-s8b-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${BUILD_DIR:-build}/bin/flashrnn-compile
B=${BASE_COMPILER:?the flashrnn-compile built at 703900b}
P=gpu-packages
rm -rf $P && mkdir -p $P
for c in lstm gru slstm elman; do
  for d in 256 768; do
    $B examples/$c.mlir -q --head-dim $d -o $P/base-$c-bf16-dh$d
    $C examples/$c.mlir -q --head-dim $d -o $P/new-$c-bf16-dh$d
  done
  $C examples/$c.mlir -q -o $P/$c-bf16-dh64
  $B examples/$c.mlir -q --backward-k-slices 2 -o $P/bk2-$c-bf16-dh64
  $C examples/$c.mlir -q --backward-k-slices 2 -o $P/nbk2-$c-bf16-dh64
done
$B examples/lstm.mlir -q --head-dim 128 -o $P/base-lstm-bf16-dh128
$C examples/lstm.mlir -q --head-dim 128 -o $P/new-lstm-bf16-dh128
