#!/usr/bin/env bash
# Seventh session, third GPU call: the Wx ring with each step's inputs read
# a step early (gpu-packages/*, fc61479) against the ring read at use
# (r1-*) and the session's start (cur-*, 5ff2e44); checks against float64,
# racecheck and memcheck; every TARGETS.md row and the cuDNN anchor in the
# same run; ncu's stall samples of the new lstm_forward. (The call as run
# timed B = 256 and 768 at B = 64 with 5 repetitions, bench_rows takes 3.)
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ check_all; check lstm-bf16-dh64 3 1 1 8; check gru-bf16-dh64 5 2 1 9; } > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{
  sanitize racecheck lstm-bf16-dh64; sanitize racecheck lstm-bf16-dh64 --backward
  sanitize memcheck lstm-bf16-dh64 --backward; sanitize racecheck gru-bf16-dh128
  sanitize racecheck slstm-bf16-dh64; sanitize memcheck elman-bf16-dh64
} | tee $O/san.txt
stamp sanitized
{
  echo "## cur (5ff2e44) / r1 (ring, read at use) / new (ring, read a step early), B = 16"
  for c in lstm slstm gru elman; do
    for round in 1 2; do
      for v in cur-$c r1-$c $c; do echo "# $v"; bench $v-bf16-dh64 20 --shape 16,1024,12; done
    done
  done
  for v in cur-lstm r1-lstm lstm; do echo "# $v-bf16-dh768"; bench $v-bf16-dh768 10 --shape 16,1024,1; done
} > $O/bench.txt 2>&1
cat $O/bench.txt
stamp compared
timeout 90 python3 scripts/cudnn_anchor.py > $O/cudnn.txt 2>&1; cat $O/cudnn.txt
stamp cudnn
{ echo "## rows"; bench_rows; } > $O/rows.txt 2>&1
cat $O/rows.txt
stamp rows
ncu_source lstm_forward lstm-bf16-dh64
stamp done
