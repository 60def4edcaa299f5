#!/usr/bin/env bash
# Eleventh session, third call: the committed choice (gpu-run-s11b.sh had the
# periods for every kernel): the backward publishes between periods where
# that measured cheaper (one CTA, no K slices, full prefetch), from inside
# the step elsewhere, and not at all for Elman (its reduction runs after
# the backward). Checks, then base (5c1567d) against this, then every
# TARGETS.md row. Packages: scripts/dev/make-s11a-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ cmake -G Ninja -S $P/base-src/runtime -B build-base -DCMAKE_BUILD_TYPE=Release && ninja -C build-base; } > $O/build-base.log 2>&1 || { tail -20 $O/build-base.log; exit 2; }
{
  check_all
  check lstm-bf16-dh768 24 40 1 4
  check lstm-bf16-dh64-sliced 11 60 2 7
  check lstm-bf16-dh64 5 61 3 2
  check gru-bf16-dh64 2 33 1 3
  check slstm-bf16-dh64 16 1024 12 5
  check lstm-bf16-dh2048 3 8 1 2
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{ sanitize memcheck lstm-bf16-dh64 --backward; sanitize memcheck slstm-bf16-dh64 --backward; } | tee $O/san.txt
Bb=build-base/bin/flashrnn-bench
ab() { # NAME PKG REPEAT SHAPE
  echo "# $1 base";   timeout 60 $Bb $P/b-$2 --no-check --backward --repeat $3 --shape $4 2>&1 | grep -E "^\| [0-9]|rror"
  echo "# $1 new"; bench $2 $3 --shape $4
}
{
  ab lstm64 lstm-bf16-dh64 20 16,1024,12
  ab gru64 gru-bf16-dh64 20 16,1024,12
  ab elman64 elman-bf16-dh64 20 16,1024,12
  ab cifg64 cifg_lstm-bf16-dh64 20 16,1024,12
  ab slstm64 slstm-bf16-dh64 10 16,1024,12
  ab lstm256 lstm-bf16-dh256 10 16,1024,3
  ab lstm768 lstm-bf16-dh768 5 16,1024,1
  ab gru768 gru-bf16-dh768 5 16,1024,1
  ab elman768 elman-bf16-dh768 5 16,1024,1
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp ab
bench_rows > $O/rows.txt 2>&1
tables $O/rows.txt | sed "s/ - . - . not checked .//"
stamp done
