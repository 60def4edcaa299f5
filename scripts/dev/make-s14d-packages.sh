#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s14d.sh (dev machine, with MLIR): the
# asynchronous cluster exchange's heads at 4 and 16 CTAs, one and two terms.
#
#   bash scripts/dev/make-s14d-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
P=gpu-packages
C=build/bin/flashrnn-compile
rm -rf $P && mkdir -p $P
for spec in lstm:256 elman:768 ligru:768 slstm:256 gru:512; do
  IFS=: read -r c dh <<< "$spec"
  $C examples/$c.mlir -q --head-dim $dh -o $P/$c-bf16-dh$dh
done
ls $P | wc -l; du -sh $P
