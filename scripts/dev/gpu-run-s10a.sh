#!/usr/bin/env bash
# Tenth session, first call: the backward with a thread's two units adjacent
# (loads, staged stores and dg as pairs; every default package) against
# base-* (aa56052), and rs-* (two warps per group of units, rowSplit = 2):
# checks, sanitizers, A/B rounds, then every TARGETS.md row. Every result
# goes to $OUT as it comes. Packages: scripts/dev/make-s10a-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check_all
  check rs-lstm-bf16-dh64 16 1024 12 1
  for c in lstm gru slstm elman cifg_lstm ligru janet; do check rs-$c-bf16-dh64 11 60 2 7; done
  check rs-lstm-f16-dh64 13 60 3 3
  check rs-lstm-bf16-dh48 9 50 2 5
  check rs-gru-bf16-dh32 9 50 2 5
  check rs2-lstm-bf16-dh64 11 60 2 7
  check rs-lstm-bf16-dh64 3 1 1 6
  check rs-gru-bf16-dh64 5 2 1 6
  check rs-slstm-bf16-dh64 1 3 1 8
  check lstm-bf16-dh64 3 1 1 6
  check gru-bf16-dh64 5 2 1 6
  for p in grid-elman-bf16-dh256 grid-gru-bf16-dh256 elman-bf16-dh256 gru-bf16-dh128; do check $p 9 50 2 5; done
  check elman-bf16-dh256 16 1024 3 2
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{ sanitize racecheck rs-lstm-bf16-dh64 --backward; sanitize racecheck lstm-bf16-dh64 --backward;
  sanitize racecheck elman-bf16-dh256 --backward; sanitize memcheck grid-elman-bf16-dh256 --backward;
  sanitize memcheck rs-slstm-bf16-dh64 --backward; } | tee $O/san.txt
stamp sanitized
{
  for round in 1 2; do
    for c in lstm gru slstm elman; do
      for v in base- "" rs-; do echo "# ${v}$c-64"; bench ${v}$c-bf16-dh64 20 --shape 16,1024,12; done
    done
    for p in lstm-bf16-dh256 elman-bf16-dh256; do
      for v in base- ""; do echo "# ${v}$p"; bench ${v}$p 10 --shape 16,1024,3; done
    done
    for v in base- ""; do echo "# ${v}gru-128"; bench ${v}gru-bf16-dh128 10 --shape 16,1024,6; done
    stamp round $round
  done
} > $O/ab.txt 2>&1
tables $O/ab.txt
stamp ab
bench_rows > $O/rows.txt 2>&1
tables $O/rows.txt
stamp done
