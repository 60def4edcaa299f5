#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-s14c.sh (dev machine, with MLIR): the
# heads the planner's rule (at most 96 KiB of R's fragments in shared memory
# per CTA) puts on a 16-CTA cluster that s14b did not time against their
# base, and the base (b-*: --max-cluster-ctas 8).
#
#   bash scripts/dev/make-s14c-packages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
P=gpu-packages
C=build/bin/flashrnn-compile
rm -rf $P && mkdir -p $P
for spec in ligru:768 janet:768 slstm:512 slstm:384 gru:512 cifg_lstm:512 \
            ligru:512 lstm:768; do
  IFS=: read -r c dh <<< "$spec"
  $C examples/$c.mlir -q --head-dim $dh -o $P/$c-bf16-dh$dh
  $C examples/$c.mlir -q --head-dim $dh --max-cluster-ctas 8 \
    -o $P/b-$c-bf16-dh$dh
done
# racecheck of the asynchronous exchange (its mbarriers' initialisation
# behind a block barrier since s14a's warnings), 4 and 16 CTAs.
$C examples/lstm.mlir -q --head-dim 256 -o $P/lstm-bf16-dh256
$C examples/elman.mlir -q --head-dim 768 -o $P/elman-bf16-dh768
ls $P | wc -l; du -sh $P
