#!/usr/bin/env bash
# Ninth session, third call: the training forward with its inputs folded
# into the accumulators and read a step early where h has one part (f1-*)
# against the committed one (checks first, then two rounds), then the
# committed packages' checks of the split heads and every TARGETS.md row.
# Packages: scripts/dev/make-s9c-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  for c in lstm gru elman cifg_lstm; do check f1-$c-bf16-dh64 16 1024 12 1; check f1-$c-bf16-dh64 11 60 2 7; check f1-$c-bf16-dh256 9 50 2 5; done
  check f1-lstm-bf16-dh256 16 1024 3 2
  check f1-lstm-f16-dh64 13 60 3 3
  check f1-lstm-bf16-dh64 3 1 1 6
  for p in lstm-bf16-dh768 gru-bf16-dh768 slstm-bf16-dh768 lstm-f16-dh768 cifg_lstm-bf16-dh768 ligru-bf16-dh768 janet-bf16-dh768; do check $p 9 40 1 4; done
  check lstm-bf16-dh768 5 2 1 6
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{ sanitize racecheck f1-lstm-bf16-dh64 --backward; sanitize racecheck f1-gru-bf16-dh256 --backward; sanitize memcheck lstm-bf16-dh768 --backward; } | tee $O/san.txt
{
  for round in 1 2; do
    for c in lstm gru elman; do
      for v in "" f1-; do echo "# ${v}$c-64"; bench ${v}$c-bf16-dh64 20 --shape 16,1024,12; done
      for v in "" f1-; do echo "# ${v}$c-256"; bench ${v}$c-bf16-dh256 10 --shape 16,1024,3; done
    done
  done
} > $O/fold.txt 2>&1
tables $O/fold.txt
stamp fold
bench_rows > $O/rows.txt 2>&1
tables $O/rows.txt
stamp done
