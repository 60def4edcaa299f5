#!/usr/bin/env bash
# Seventh session, first GPU call: the forward with every element's cell body
# ahead of its stores (one basic block for both elements' dependent chains),
# checked against float64 and timed against the packages of the session's
# start (gpu-packages/cur-*, 5ff2e44) and of 9430560 (base-slstm: the sLSTM
# A/B the sixth session left open); LSTM at B = 256; ncu's per-instruction
# stall samples of the new lstm_forward and lstm_backward.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check lstm-bf16-dh64 16 1024 12 1
  for c in lstm gru slstm elman cifg_lstm ligru janet; do check $c-bf16-dh64 11 60 2 7; done
  check lstm-f16-dh64 13 60 3 3
  for p in lstm-bf16-dh48 lstm-bf16-dh128 lstm-bf16-dh256 slstm-bf16-dh256; do check $p 9 50 2 5; done
  for p in lstm-bf16-dh768 elman-bf16-dh768; do check $p 9 40 1 4; done
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{
  echo "## A/B/A/B, B = 16, 64x12"
  for c in lstm gru slstm elman; do
    for round in 1 2; do
      for v in cur-$c $c; do echo "# $v"; bench $v-bf16-dh64 20 --shape 16,1024,12; done
    done
  done
  for round in 1 2; do for v in base-slstm slstm; do echo "# $v"; bench $v-bf16-dh64 20 --shape 16,1024,12; done; done
  echo "# lstm B 256"; T=200 bench lstm-bf16-dh64 5 --shape 256,1024,12
} > $O/bench.txt 2>&1
cat $O/bench.txt
stamp benched
ncu_source lstm_forward lstm-bf16-dh64
ncu_source lstm_backward lstm-bf16-dh64 --backward
stamp done
