#!/usr/bin/env bash
# The first GPU call for the next session (written in the seventh, whose
# device time ran out): the K-slice knobs added after its last GPU call,
# never run on a GPU yet. At B = 16, 64x12 the backward (1.25 of the 1.98 ms
# of forward+backward) is issue-bound with one warp per scheduler (ncu:
# 552 SASS per step, "selected" 30% of the stall samples); two K slices
# give each scheduler two warps with half the mma each, at the price of a
# partial-sum exchange and a second barrier per step. Checks first (the
# one-CTA K-sliced kernels have not been run before), then racecheck, then
# default against fk2/bk2, interleaved. (ptxas: sLSTM's training forward
# with two forward slices spills 20 bytes at 128 registers.)
# Packages: scripts/dev/make-next-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  for c in lstm gru slstm elman; do for v in fk2-$c bk2-$c; do
    check $v-bf16-dh64 11 60 2 7
  done; done
} > $O/check.txt 2>&1
check_summary $O/check.txt
{ sanitize racecheck fk2-lstm-bf16-dh64 --backward; sanitize racecheck bk2-lstm-bf16-dh64 --backward; } | tee $O/san.txt
{
  for c in lstm gru slstm elman; do for round in 1 2; do
    for v in $c fk2-$c bk2-$c; do echo "# $v"; bench $v-bf16-dh64 20 --shape 16,1024,12; done
  done; done
} > $O/bench.txt 2>&1
cat $O/bench.txt
# Where the two-slice backward's step goes (the default's was profiled in
# the seventh session: 552 SASS per step).
ncu_source lstm_backward bk2-lstm-bf16-dh64 --backward
stamp done
