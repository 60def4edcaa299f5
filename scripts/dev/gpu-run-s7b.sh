#!/usr/bin/env bash
# Seventh session, second GPU call: the forward's Wx through a shared-memory
# ring filled by cp.async three steps ahead (no loop-carried registers, so
# no moves that wait on the prefetch's loads), checked against float64
# (every example cell, the cluster, K-slice and grid-barrier kernels),
# racecheck and memcheck, then timed against the session's start
# (gpu-packages/cur-*, 5ff2e44) and the reordered stores alone (ro-*);
# ncu's stall samples of the new lstm_forward.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
check_all > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{
  sanitize racecheck lstm-bf16-dh64; sanitize racecheck lstm-bf16-dh64 --backward
  sanitize memcheck lstm-bf16-dh64 --backward; sanitize racecheck gru-bf16-dh128
  sanitize racecheck lstm-bf16-dh256; sanitize memcheck gru-bf16-dh64
} | tee $O/san.txt
stamp sanitized
{
  echo "## cur (5ff2e44) / ro (stores after the cell bodies) / ring, B = 16"
  for c in lstm slstm gru elman; do
    for round in 1 2; do
      for v in cur-$c ro-$c $c; do [ -d $P/$v-bf16-dh64 ] || continue; echo "# $v"; bench $v-bf16-dh64 20 --shape 16,1024,12; done
    done
  done
  for p in lstm-bf16-dh256:3 lstm-bf16-dh768:1 elman-bf16-dh768:1; do
    for v in cur-${p%:*} ${p%:*}; do [ -d $P/$v ] || continue; echo "# $v"; bench $v 10 --shape 16,1024,${p#*:}; done
  done
  echo "# lstm B 2, 64"; bench lstm-bf16-dh64 20 --shape 2,1024,12 --shape 64,1024,12
} > $O/bench.txt 2>&1
cat $O/bench.txt
stamp benched
ncu_source lstm_forward lstm-bf16-dh64
stamp done
