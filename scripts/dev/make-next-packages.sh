#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-next.sh (dev machine, with MLIR): the
# example cells at DH 64 as compiled by default, and with at least two K
# slices in the forward (fk2-*) or the backward (bk2-*): more warps per CTA,
# each with half of K (flashrnn-plan's forward-k-slices, backward-k-slices).
#
#   bash scripts/dev/make-next-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${BUILD_DIR:-build}/bin/flashrnn-compile
P=gpu-packages
rm -rf $P && mkdir -p $P
for c in lstm gru slstm elman; do
  $C examples/$c.mlir -q -o $P/$c-bf16-dh64
  $C examples/$c.mlir -q --forward-k-slices 2 -o $P/fk2-$c-bf16-dh64
  $C examples/$c.mlir -q --backward-k-slices 2 -o $P/bk2-$c-bf16-dh64
done
