#!/usr/bin/env bash
# Tenth session, second call: the committed backward (paired units without K
# slices, rowSplit = 2 for Elman and sLSTM at 64) against base-* (aa56052):
# checks, sanitizers, two A/B rounds, then every TARGETS.md row. Packages:
# scripts/dev/make-s10b-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check_all
  check elman-bf16-dh64 16 1024 12 1
  check slstm-bf16-dh64 16 1024 12 1
  check elman-bf16-dh32 9 50 2 5
  check slstm-bf16-dh48 9 50 2 5
  check elman-bf16-dh64 3 1 1 6
  check slstm-bf16-dh64 5 2 1 6
  check lstm-bf16-dh64 1 2 1 8
  check gru-bf16-dh128 9 50 2 5
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{ sanitize racecheck elman-bf16-dh64 --backward; sanitize racecheck slstm-bf16-dh64 --backward;
  sanitize racecheck gru-bf16-dh64 --backward; sanitize memcheck lstm-bf16-dh64 --backward; } | tee $O/san.txt
stamp sanitized
{
  for round in 1 2; do
    for c in lstm gru slstm elman cifg_lstm ligru janet; do
      for v in base- "" ; do echo "# ${v}$c-64"; bench ${v}$c-bf16-dh64 20 --shape 16,1024,12; done
    done
    for v in base- ""; do echo "# ${v}gru-128"; bench ${v}gru-bf16-dh128 10 --shape 16,1024,6; done
    stamp round $round
  done
  for v in rs-cifg_lstm rs-ligru rs-janet one-slstm one-elman; do echo "# $v-64"; bench $v-bf16-dh64 20 --shape 16,1024,12; done
} > $O/ab.txt 2>&1
tables $O/ab.txt
stamp ab
bench_rows > $O/rows.txt 2>&1
tables $O/rows.txt
stamp done
