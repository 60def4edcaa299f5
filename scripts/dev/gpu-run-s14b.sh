#!/usr/bin/env bash
# Fourteenth session, second call: the forward of 768 heads (and 384, 512,
# 640) as one non-portable cluster of 16 CTAs per head, R split between
# registers and shared memory, h by st.async. Checks against float64 (B not
# a multiple of 8, T = 1, several heads, 5 batch tiles = 5 clusters, f16,
# every example cell the planner puts there), compute-sanitizer, then base
# (b-*: --max-cluster-ctas 8, the grid barrier) against the cluster,
# alternating, two rounds. Packages: scripts/dev/make-s14b-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check lstm-bf16-dh768 16 1024 1 1
  check lstm-bf16-dh768 9 40 1 4
  check lstm-bf16-dh768 5 33 2 3
  check lstm-bf16-dh768 3 1 1 2
  check lstm-bf16-dh768 40 30 1 5
  for c in gru elman ligru janet cifg_lstm; do
    check $c-bf16-dh768 9 40 1 4
    check $c-bf16-dh768 16 300 1 6
  done
  check lstm-f16-dh768 9 40 1 4
  for dh in 384 512 640; do check lstm-bf16-dh$dh 9 40 2 4; done
  check slstm-bf16-dh768 9 40 1 4
  check lstm-bf16-dh64 16 1024 12 1
} > $O/check.txt 2>&1
check_summary $O/check.txt
grep -m1 "thread-block clusters" <(timeout 60 $R $P/lstm-bf16-dh768 --random 1 --batch 3 --seq 2 --device cuda 2>&1)
stamp checked
{
  for t in memcheck synccheck racecheck; do sanitize $t lstm-bf16-dh768; done
  sanitize racecheck gru-bf16-dh768 --backward
} | tee $O/san.txt
stamp sanitized
{
  for round in 1 2; do
    for p in lstm-bf16-dh768 gru-bf16-dh768 elman-bf16-dh768; do
      echo "# $p base"; bench b-$p 10 --shape 16,1024,1
      echo "# $p cluster16"; bench $p 10 --shape 16,1024,1
    done
  done
  echo "# lstm768 B8/B64 base"; bench b-lstm-bf16-dh768 5 --shape 8,1024,1 --shape 64,1024,1
  echo "# lstm768 B8/B64 cluster16"; bench lstm-bf16-dh768 5 --shape 8,1024,1 --shape 64,1024,1
  for dh in 384 512 640; do
    echo "# lstm$dh base"; bench b-lstm-bf16-dh$dh 10 --shape 16,1024,1
    echo "# lstm$dh cluster16"; bench lstm-bf16-dh$dh 10 --shape 16,1024,1
  done
  for p in ligru janet cifg_lstm; do echo "# $p-768 cluster16"; bench $p-bf16-dh768 10 --shape 16,1024,1; done
  echo "# lstm768 f16 cluster16"; bench lstm-f16-dh768 10 --shape 16,1024,1
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
