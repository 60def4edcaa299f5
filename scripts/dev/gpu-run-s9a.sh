#!/usr/bin/env bash
# Ninth session, first call: the training kernels with one element-type
# part of h (training forward) and dg (backward) for smooth cells, against
# two parts (hi + lo). Checks against float64 first, at T = 1024 where an
# 8-bit h once failed sLSTM and Li-GRU (the h1-* packages repeat that case:
# they are expected to fail), then racecheck, then two against new,
# interleaved; c4-* (the one-part backward with four K chains per part
# instead of two) next to them. Packages: scripts/dev/make-s9a-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  for c in lstm gru elman cifg_lstm janet; do check new-$c-bf16-dh64 16 1024 12 1; done
  for c in slstm ligru; do check dg1-$c-bf16-dh64 16 1024 12 1; check h1-$c-bf16-dh64 16 1024 12 1; done
  check new-lstm-f16-dh64 16 1024 12 2
  check new-lstm-bf16-dh256 16 1024 3 2
  check new-gru-bf16-dh768 16 1024 1 3
  check dg1-slstm-bf16-dh256 16 1024 3 2
  for c in lstm gru elman; do check new-$c-bf16-dh64 11 60 2 7; check new-$c-bf16-dh256 9 50 2 5; check new-$c-bf16-dh768 9 40 1 4; done
  check new-lstm-bf16-dh128 9 50 2 5
  check c4-lstm-bf16-dh64 16 1024 12 1
  for c in lstm gru elman; do check c4-$c-bf16-dh64 11 60 2 7; check c4-$c-bf16-dh256 9 50 2 5; done
  check new-lstm-f16-dh768 9 40 1 4
  check new-lstm-bf16-dh256 3 1 1 6
  check new-elman-bf16-dh768 5 2 1 6
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{ sanitize racecheck new-lstm-bf16-dh64 --backward; sanitize racecheck new-lstm-bf16-dh256 --backward
  sanitize racecheck new-elman-bf16-dh768 --backward; sanitize memcheck new-gru-bf16-dh768 --backward; } | tee $O/san.txt
stamp sanitized
{
  for round in 1 2; do
    for c in lstm gru elman; do
      for v in two new c4; do echo "# $v-$c-64"; bench $v-$c-bf16-dh64 20 --shape 16,1024,12; done
      [ $round = 1 ] && for v in two new c4; do echo "# $v-$c-256"; bench $v-$c-bf16-dh256 10 --shape 16,1024,3; done
    done
    for v in two dg1; do echo "# $v-slstm-64"; bench $v-slstm-bf16-dh64 20 --shape 16,1024,12; done
  done
  for c in lstm gru elman; do
    for v in two new; do echo "# $v-$c-768"; bench $v-$c-bf16-dh768 10 --shape 16,1024,1; done
  done
  for v in two dg1; do echo "# $v-slstm-256"; bench $v-slstm-bf16-dh256 10 --shape 16,1024,3; done
} > $O/bench.txt 2>&1
tables $O/bench.txt
stamp done
