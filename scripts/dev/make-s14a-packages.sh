#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s14a.sh (dev machine, with MLIR): the
# heads whose tensor-core forward runs as one thread-block cluster (sm_90,
# at most 8 CTAs), with h exchanged by st.async and an mbarrier per slot
# (a-*: --cluster-exchange async) and around the cluster barrier (n-*: the
# default when s14a ran), for LSTM, GRU, Elman, sLSTM and Li-GRU (two h
# terms in training) at 256, LSTM and GRU at 128, LSTM at 192, LSTM f16 at
# 256; LSTM 64 (one CTA per head: unchanged) as a control.
#
#   bash scripts/dev/make-s14a-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
P=gpu-packages
C=build/bin/flashrnn-compile
rm -rf $P && mkdir -p $P
for spec in lstm:bf16:256 gru:bf16:256 elman:bf16:256 slstm:bf16:256 \
            ligru:bf16:256 lstm:bf16:128 gru:bf16:128 lstm:bf16:192 \
            lstm:f16:256; do
  IFS=: read -r c t dh <<< "$spec"
  $C examples/$c.mlir -q --dtype $t --head-dim $dh --cluster-exchange async \
    -o $P/a-$c-$t-dh$dh
  $C examples/$c.mlir -q --dtype $t --head-dim $dh -o $P/n-$c-$t-dh$dh
done
$C examples/lstm.mlir -q --head-dim 64 -o $P/lstm-bf16-dh64
ls $P | wc -l; du -sh $P
