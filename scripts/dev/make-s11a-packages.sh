#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s11a.sh (dev machine, with MLIR): the
# default set of scripts/make-gpu-packages.sh (bf16, f16) from this checkout,
# whose backward publishes its progress and whose tensor-core reduction
# waits for it (the runtime runs the two side by side); the same cells from
# BASE_COMPILER (a flashrnn-compile built at 5c1567d) as b-*; and the base
# runtime's sources (5c1567d) in gpu-packages/base-src, which the GPU call
# builds next to this one's, so that both are timed in one call.
#
#   BASE_COMPILER=/tmp/base/build/bin/flashrnn-compile \
#     bash scripts/dev/make-s11a-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BASE_COMPILER:?a flashrnn-compile built at 5c1567d}
P=gpu-packages
DTYPES="bf16 f16" NOMMA_CELLS="" OTHER_REDUCTIONS="lstm:64:sliced" \
  bash scripts/make-gpu-packages.sh
for spec in lstm:64 gru:64 elman:64 slstm:64 cifg_lstm:64 lstm:256 lstm:768 gru:768 elman:768; do
  IFS=: read -r c dh <<< "$spec"
  $B examples/$c.mlir -q --head-dim $dh -o $P/b-$c-bf16-dh$dh
done
mkdir -p $P/base-src
git archive 5c1567d runtime tools test/Runtime | tar -x -C $P/base-src
ls $P | wc -l; du -sh $P
