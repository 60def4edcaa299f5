#!/usr/bin/env bash
# Fourteenth session, first call: the cluster forward's exchange of h by
# st.async and an mbarrier per slot (a-*: --cluster-exchange async) against
# the cluster barrier (n-*). Checks against float64 (B not a multiple of 8,
# T = 1, several heads and batch tiles, f16, two h terms in training),
# compute-sanitizer, then n-* against a-*, alternating, two rounds.
# Packages: scripts/dev/make-s14a-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check a-lstm-bf16-dh256 16 1024 3 1
  check a-lstm-bf16-dh256 9 40 2 4
  check a-lstm-bf16-dh256 5 33 1 3
  check a-lstm-bf16-dh256 3 1 1 2
  check a-lstm-bf16-dh256 40 30 2 5
  for c in gru elman slstm ligru; do
    check a-$c-bf16-dh256 9 40 2 4
    check a-$c-bf16-dh256 16 300 1 6
  done
  check a-lstm-f16-dh256 9 40 1 4
  check a-lstm-bf16-dh128 13 50 3 2
  check a-gru-bf16-dh128 9 40 2 4
  check a-lstm-bf16-dh192 9 40 2 4
  check lstm-bf16-dh64 16 1024 12 1
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{
  for t in memcheck synccheck racecheck; do
    sanitize $t a-lstm-bf16-dh256
    sanitize $t a-slstm-bf16-dh256 --backward
  done
} | tee $O/san.txt
stamp sanitized
{
  for round in 1 2; do
    for p in lstm-bf16-dh256 gru-bf16-dh256 elman-bf16-dh256 slstm-bf16-dh256; do
      echo "# $p barrier"; bench n-$p 10 --shape 16,1024,3
      echo "# $p async"; bench a-$p 10 --shape 16,1024,3
    done
    for p in lstm-bf16-dh128 gru-bf16-dh128; do
      echo "# $p barrier"; bench n-$p 10 --shape 16,1024,6
      echo "# $p async"; bench a-$p 10 --shape 16,1024,6
    done
  done
  echo "# lstm256 B64 barrier"; bench n-lstm-bf16-dh256 5 --shape 64,1024,3
  echo "# lstm256 B64 async"; bench a-lstm-bf16-dh256 5 --shape 64,1024,3
  echo "# lstm192 barrier"; bench n-lstm-bf16-dh192 10 --shape 16,1024,4
  echo "# lstm192 async"; bench a-lstm-bf16-dh192 10 --shape 16,1024,4
  echo "# lstm64 control"; bench lstm-bf16-dh64 20 --shape 16,1024,12
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
