#!/usr/bin/env bash
# Tenth session, last call: the one-CTA backward's time loop unrolled by two
# (u-*) against the rolled one (s10-*, e16bd6c): checks (odd and even T,
# T = 1, 2, 3), racecheck, two A/B rounds (the second for LSTM, GRU, Elman). Packages:
# scripts/dev/make-s10c-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check u-lstm-bf16-dh64 16 1024 12 1
  for c in lstm gru slstm elman cifg_lstm ligru janet; do check u-$c-bf16-dh64 11 60 2 7; check u-$c-bf16-dh64 5 61 1 3; done
  check u-lstm-bf16-dh64 3 1 1 6
  check u-elman-bf16-dh64 3 2 1 6
  check u-slstm-bf16-dh64 2 3 1 8
  check u-gru-bf16-dh128 9 51 2 5
  check u-lstm-f16-dh64 13 60 3 3
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{ sanitize racecheck u-elman-bf16-dh64 --backward; sanitize racecheck u-lstm-bf16-dh64 --backward; } | tee $O/san.txt
{
  for round in 1 2; do
    cells="lstm gru slstm elman cifg_lstm ligru janet"; [ $round = 2 ] && cells="lstm gru elman"
    for c in $cells; do
      for v in s10 u; do echo "# $v-$c-64"; bench $v-$c-bf16-dh64 20 --shape 16,1024,12; done
    done
    for v in s10 u; do echo "# $v-gru-128"; bench $v-gru-bf16-dh128 10 --shape 16,1024,6; done
    stamp round $round
  done
} > $O/ab.txt 2>&1
tables $O/ab.txt
stamp done
