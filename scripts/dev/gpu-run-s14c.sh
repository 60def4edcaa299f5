#!/usr/bin/env bash
# Fourteenth session, third call: the heads the committed rule puts on a
# 16-CTA cluster that s14b did not time against their base: checks against
# float64, racecheck of the asynchronous exchange (4 and 16 CTAs), then
# base (b-*) against the cluster, two rounds.
# Packages: scripts/dev/make-s14c-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
H="ligru-bf16-dh768 janet-bf16-dh768 slstm-bf16-dh512 slstm-bf16-dh384 gru-bf16-dh512 cifg_lstm-bf16-dh512 ligru-bf16-dh512"
{
  for p in $H; do check $p 9 40 1 4; check $p 16 300 2 6; done
  check lstm-bf16-dh768 9 40 1 4
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
for p in lstm-bf16-dh256 elman-bf16-dh768; do
  timeout 200 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 $R $P/$p --random 1 --batch 3 --seq 4 --heads 1 --device cuda --check > $O/race-$p.txt 2>&1
  echo "racecheck $p rc=$? $(grep -E 'RACECHECK SUMMARY' $O/race-$p.txt)"
done | tee $O/san.txt
stamp sanitized
{
  for round in 1 2; do
    for p in $H; do
      echo "# $p base"; bench b-$p 10 --shape 16,1024,1
      echo "# $p cluster16"; bench $p 10 --shape 16,1024,1
    done
  done
  echo "# lstm768 (grid, the rule) B16/B64"; bench lstm-bf16-dh768 5 --shape 16,1024,1 --shape 64,1024,1
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
