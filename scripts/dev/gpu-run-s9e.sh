#!/usr/bin/env bash
# Ninth session, last call: the one-CTA backward with its saved gate values
# in a cp.async ring (ring-*) against base-* (register prefetch): checks,
# racecheck, then base against ring. Every result goes to $OUT as it comes.
# Packages: scripts/dev/make-s9e-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check ring-lstm-bf16-dh64 16 1024 12 1
  for c in lstm gru slstm elman ligru; do check ring-$c-bf16-dh64 11 60 2 7; done
  check ring-lstm-bf16-dh64 3 1 1 6
  check ring-gru-bf16-dh64 5 2 1 6
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
sanitize racecheck ring-lstm-bf16-dh64 --backward | tee $O/san.txt
for round in 1 2; do
  for c in lstm gru slstm elman; do
    for v in base ring; do echo "# $v-$c-64"; bench $v-$c-bf16-dh64 20 --shape 16,1024,12; done
  done >> $O/bench.txt 2>&1
  tables $O/bench.txt | tail -16
  stamp round $round
done
