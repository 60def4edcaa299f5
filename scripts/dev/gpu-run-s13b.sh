#!/usr/bin/env bash
# Thirteenth session, second call: variants of the tagged exchange's poll
# (s13a: 2.31 -> 2.82 ms for LSTM 768, slower than the barrier). vf-*: each
# thread first polls its first run alone, then all; vs-*: a 64 ns nanosleep
# after a round that found a stale word; vfs-*: both (32 ns). Built with the
# session's experiment switches FLASHRNN_POLL_FIRST / FLASHRNN_POLL_SLEEP
# (not committed). Checks, then base (n-), tagged and the variants.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  for v in vf vs vfs; do check $v-lstm-bf16-dh768 9 40 1 4; check $v-lstm-bf16-dh768 16 1024 1 1; done
  check vf-elman-bf16-dh768 9 40 1 4
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{
  for round in 1 2; do
    for v in n- "" vf- vs- vfs-; do echo "# lstm768 ${v:-tagged}"; bench ${v}lstm-bf16-dh768 10 --shape 16,1024,1; done
    for v in n- "" vf-; do echo "# elman768 ${v:-tagged}"; bench ${v}elman-bf16-dh768 10 --shape 16,1024,1; done
  done
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
