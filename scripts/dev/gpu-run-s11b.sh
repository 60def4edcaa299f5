#!/usr/bin/env bash
# Eleventh session, second call: as gpu-run-s11a.sh, with the backward's
# progress published between periods of 32 steps instead of from inside the
# step (the first call's backward was 4-30% slower for the one-CTA heads).
# The first call: the reduction beside the backward. Builds
# this runtime (build-gpu) and the base one (5c1567d, build-base); checks
# every case against float64 with the reduction beside the backward (and the
# cases where it cannot be: two backward launches, the sliced reduction),
# memcheck over the two streams, then A/B at B = 16, T = 1024: base (b-*,
# base runtime), this package with the reduction after the backward
# (--no-reduce-overlap: the progress words' cost alone) and beside it.
# Packages: scripts/dev/make-s11a-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ cmake -G Ninja -S $P/base-src/runtime -B build-base -DCMAKE_BUILD_TYPE=Release && ninja -C build-base; } > $O/build-base.log 2>&1 || { tail -20 $O/build-base.log; exit 2; }
stamp built base
{
  check_all
  check lstm-bf16-dh768 24 40 1 4      # two backward launches: after it
  check lstm-bf16-dh64-sliced 11 60 2 7 # a reduction that does not wait
  check lstm-bf16-dh64 5 61 3 2
  check elman-bf16-dh64 3 1 1 6
  check gru-bf16-dh64 2 33 1 3
  check lstm-bf16-dh2048 3 8 1 2
} > $O/check.txt 2>&1
check_summary $O/check.txt
for p in lstm-bf16-dh64 lstm-bf16-dh768 lstm-bf16-dh64-sliced; do
  $R $P/$p --random 1 --batch 16 --seq 64 --heads 1 --device cuda --backward 2>&1 | grep "backward_reduce runs"
done
stamp checked
{ sanitize memcheck lstm-bf16-dh64 --backward; sanitize memcheck lstm-bf16-dh256 --backward; sanitize synccheck lstm-bf16-dh64 --backward; } | tee $O/san.txt
stamp sanitized
Bb=build-base/bin/flashrnn-bench
ab() { # NAME PKG REPEAT SHAPE
  echo "# $1 base";   timeout 60 $Bb $P/b-$2 --no-check --backward --repeat $3 --shape $4 2>&1 | grep -E "^\| [0-9]|rror"
  echo "# $1 after";  bench $2 $3 --shape $4 --no-reduce-overlap
  echo "# $1 beside"; bench $2 $3 --shape $4
}
{
  for round in 1 2; do
    ab lstm64 lstm-bf16-dh64 20 16,1024,12
    ab gru64 gru-bf16-dh64 20 16,1024,12
    ab elman64 elman-bf16-dh64 20 16,1024,12
    ab cifg64 cifg_lstm-bf16-dh64 20 16,1024,12
    ab slstm64 slstm-bf16-dh64 10 16,1024,12
    ab lstm256 lstm-bf16-dh256 10 16,1024,3
    ab lstm768 lstm-bf16-dh768 5 16,1024,1
    ab gru768 gru-bf16-dh768 5 16,1024,1; ab elman768 elman-bf16-dh768 5 16,1024,1
    stamp round $round
  done
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
