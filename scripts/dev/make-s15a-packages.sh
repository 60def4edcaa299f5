#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s15a.sh (dev machine, with MLIR): every
# example head that gets a batch variant (a forward over the grid barrier,
# and the same forward as a 16-CTA cluster from N (head, batch tile) pairs).
#
#   bash scripts/dev/make-s15a-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
P=gpu-packages
C=build/bin/flashrnn-compile
rm -rf $P && mkdir -p $P
for spec in lstm:768 gru:768 cifg_lstm:768 gru:640 elman:1024 janet:1024; do
  IFS=: read -r c dh <<< "$spec"
  $C examples/$c.mlir -q --head-dim $dh -o $P/$c-bf16-dh$dh
done
# sLSTM 768: only its inference forward has a variant.
$C examples/slstm.mlir -q --head-dim 768 --inference-only -o $P/slstm-inf-bf16-dh768
grep -l min_head_tiles $P/*/manifest.json | wc -l
ls $P | wc -l; du -sh $P
