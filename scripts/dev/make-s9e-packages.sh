#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s9e.sh (dev machine, with MLIR): the
# one-CTA backward reading its saved gate values out of a shared-memory ring
# (ring-*, this checkout) against the same kernels without it (base-*, from
# BASE_COMPILER: a flashrnn-compile built at e99af93).
#
#   BASE_COMPILER=/tmp/fc-committed bash scripts/dev/make-s9e-packages.sh
# (ring-* from a checkout of dce558f with docs/perf-results/h200-s9e-backward-gate-ring.patch
# applied: the experiment was measured slower and not kept.)
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${BUILD_DIR:-build}/bin/flashrnn-compile
B=${BASE_COMPILER:?a flashrnn-compile built at e99af93}
P=gpu-packages
rm -rf $P && mkdir -p $P
for c in lstm gru slstm elman ligru; do
  $C examples/$c.mlir -q -o $P/ring-$c-bf16-dh64
  $B examples/$c.mlir -q -o $P/base-$c-bf16-dh64
done
ls $P | wc -l; du -sh $P
