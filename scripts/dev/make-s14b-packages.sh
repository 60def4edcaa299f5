#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s14b.sh (dev machine, with MLIR): the
# forwards that now run as one non-portable thread-block cluster of 16 CTAs
# per head (sm_90), R split between registers and shared memory, h by
# st.async (the default when s14b ran), and the same heads with
# --max-cluster-ctas 8 (b-*: the grid barrier over 48 CTAs, the base).
#
#   bash scripts/dev/make-s14b-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
P=gpu-packages
C=build/bin/flashrnn-compile
rm -rf $P && mkdir -p $P
for spec in lstm:bf16:768 gru:bf16:768 elman:bf16:768 ligru:bf16:768 \
            janet:bf16:768 cifg_lstm:bf16:768 lstm:f16:768 lstm:bf16:512 \
            lstm:bf16:384 lstm:bf16:640 slstm:bf16:768; do
  IFS=: read -r c t dh <<< "$spec"
  $C examples/$c.mlir -q --dtype $t --head-dim $dh -o $P/$c-$t-dh$dh
done
for spec in lstm:bf16:768 gru:bf16:768 elman:bf16:768 lstm:bf16:512 \
            lstm:bf16:384 lstm:bf16:640; do
  IFS=: read -r c t dh <<< "$spec"
  $C examples/$c.mlir -q --dtype $t --head-dim $dh --max-cluster-ctas 8 \
    -o $P/b-$c-$t-dh$dh
done
$C examples/lstm.mlir -q --head-dim 64 -o $P/lstm-bf16-dh64
ls $P | wc -l; du -sh $P
