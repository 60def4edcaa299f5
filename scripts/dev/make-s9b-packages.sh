#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s9b.sh (dev machine, with MLIR): the
# default packages of every example cell (bf16, f16; scripts/make-gpu-packages.sh)
# and, at 768, the one-part kernels with more K slices than the planner's
# fewest: fwN-* (--forward-k-slices N; the backward has no room for more than
# its 8 slices at 768: 384 threads leave 170 registers each).
#
#   bash scripts/dev/make-s9b-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${BUILD_DIR:-build}/bin/flashrnn-compile
P=gpu-packages
DTYPES="bf16 f16" NOMMA_CELLS="" OTHER_REDUCTIONS="" bash scripts/make-gpu-packages.sh > /dev/null
for c in lstm gru elman; do
  for n in 4 6 8; do $C examples/$c.mlir -q --head-dim 768 --forward-k-slices $n -o $P/fw$n-$c-bf16-dh768; done

done
ls $P | wc -l; du -sh $P
