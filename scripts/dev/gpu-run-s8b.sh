#!/usr/bin/env bash
# Eighth session, second call: the split tensor-core backward (K slices or
# CTAs) with its saved values prefetched (each slice its own elements; the
# full prefetch at the top of the step where the estimate fits, else the
# late one) against the same compiler without (base-*: loads in the step).
# Checks first, racecheck, then base against new, interleaved.
# Packages: scripts/dev/make-s8b-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  for c in lstm gru slstm elman; do
    check nbk2-$c-bf16-dh64 11 60 2 7
    check new-$c-bf16-dh256 9 50 2 5
    check new-$c-bf16-dh768 9 40 1 4
  done
  check new-lstm-bf16-dh128 9 50 2 5
  check new-lstm-bf16-dh256 16 1024 3 2
} > $O/check.txt 2>&1
check_summary $O/check.txt
{ sanitize racecheck nbk2-lstm-bf16-dh64 --backward; sanitize racecheck new-lstm-bf16-dh256 --backward
  sanitize racecheck new-gru-bf16-dh768 --backward; sanitize memcheck new-slstm-bf16-dh256 --backward; } | tee $O/san.txt
stamp sanitized
{
  for round in 1 2; do
    for c in lstm gru slstm elman; do
      for v in base new; do echo "# $v-$c-256"; bench $v-$c-bf16-dh256 10 --shape 16,1024,3; done
      for v in base new; do echo "# $v-$c-768"; bench $v-$c-bf16-dh768 10 --shape 16,1024,1; done
    done
    for v in base new; do echo "# $v-lstm-128"; bench $v-lstm-bf16-dh128 10 --shape 16,1024,6; done
    for c in lstm gru; do for v in "" bk2- nbk2-; do echo "# ${v}$c-64"; bench ${v}$c-bf16-dh64 20 --shape 16,1024,12; done; done
  done
} > $O/bench.txt 2>&1
cat $O/bench.txt | grep -v "^| B "
stamp done
