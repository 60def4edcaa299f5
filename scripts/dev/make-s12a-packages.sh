#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s12a.sh (dev machine, with MLIR): the
# heads whose backward now runs on tensor cores with each K-sliced thread
# carrying only its own elements' state gradients (sLSTM 768 bf16 and f16,
# LSTM 1024), controls whose PTX is unchanged (LSTM 64, 768), and from
# BASE_COMPILER (a flashrnn-compile built at e605198, where they take the
# scalar backward) b-slstm-bf16-dh768 and b-lstm-bf16-dh1024. The runtime is
# unchanged, so one runtime build serves both.
#
#   BASE_COMPILER=/tmp/base/build/bin/flashrnn-compile \
#     bash scripts/dev/make-s12a-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${BASE_COMPILER:?a flashrnn-compile built at e605198}
P=gpu-packages
rm -rf $P && mkdir -p $P
for spec in slstm:bf16:768 slstm:f16:768 lstm:bf16:1024 lstm:bf16:64 lstm:bf16:768 slstm:bf16:64; do
  IFS=: read -r c t dh <<< "$spec"
  build/bin/flashrnn-compile examples/$c.mlir -q --dtype $t --head-dim $dh -o $P/$c-$t-dh$dh
done
# LSTM 768 for sm_80 (its backward newly on tensor cores there; the H200's
# driver compiles the sm_80 PTX for sm_90), checked only.
build/bin/flashrnn-compile examples/lstm.mlir -q --chip sm_80 --head-dim 768 \
  -o $P/lstm-bf16-dh768-sm80
for spec in slstm:768 lstm:1024; do
  IFS=: read -r c dh <<< "$spec"
  $B examples/$c.mlir -q --head-dim $dh -o $P/b-$c-bf16-dh$dh
done
ls $P | wc -l; du -sh $P
