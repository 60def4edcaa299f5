#!/usr/bin/env bash
# Fourteenth session, fourth call: the asynchronous cluster exchange after
# its review refactor (GridSync's shared helpers; the PTX's integer
# operations come in another order): float64 checks and timings of the
# packages of scripts/dev/make-s14d-packages.sh, against s14a/s14c's.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  for p in lstm-bf16-dh256 elman-bf16-dh768 ligru-bf16-dh768 slstm-bf16-dh256 gru-bf16-dh512; do
    check $p 9 40 2 4; check $p 16 300 1 6
  done
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
for p in lstm-bf16-dh256 elman-bf16-dh768 ligru-bf16-dh768 slstm-bf16-dh256 gru-bf16-dh512; do
  nh=$(case $p in *dh256) echo 3;; *) echo 1;; esac)
  echo "# $p"; bench $p 10 --shape 16,1024,$nh
done > $O/ab.txt 2>&1
tables $O/ab.txt
stamp done
