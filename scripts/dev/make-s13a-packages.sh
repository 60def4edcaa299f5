#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s13a.sh (dev machine, with MLIR): the
# split tensor-core heads whose forward now exchanges h as tagged words
# (flashrnn-grid-sync, --tagged-exchange; the default when s13a ran), each
# also without (n-*: the grid barrier per step, the A/B's base), for LSTM, GRU, Elman and sLSTM 768,
# LSTM f16 768, LSTM 1024 and 2048, LSTM 768 for sm_80, and LSTM 64 (one
# CTA per head: unchanged, a control).
#
#   bash scripts/dev/make-s13a-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
P=gpu-packages
C=build/bin/flashrnn-compile
rm -rf $P && mkdir -p $P
for spec in lstm:bf16:768 gru:bf16:768 elman:bf16:768 slstm:bf16:768 \
            lstm:f16:768 lstm:bf16:1024 lstm:bf16:2048; do
  IFS=: read -r c t dh <<< "$spec"
  $C examples/$c.mlir -q --dtype $t --head-dim $dh --tagged-exchange \
    -o $P/$c-$t-dh$dh
  $C examples/$c.mlir -q --dtype $t --head-dim $dh -o $P/n-$c-$t-dh$dh
done
$C examples/lstm.mlir -q --chip sm_80 --head-dim 768 --tagged-exchange \
  -o $P/lstm-bf16-dh768-sm80
$C examples/lstm.mlir -q --head-dim 64 -o $P/lstm-bf16-dh64
ls $P | wc -l; du -sh $P
