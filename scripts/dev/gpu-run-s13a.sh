#!/usr/bin/env bash
# Thirteenth session, first call: the forward of split tensor-core heads
# exchanging h across CTAs as tagged words instead of a grid barrier per
# step (flashrnn-grid-sync). Checks against float64 (B not a multiple of 8,
# T = 1, several heads, several batch tiles, f16, sm_80's PTX, past the
# tag's wrap at 65535 steps), compute-sanitizer, then base (n-*: the same
# compiler with --no-tagged-exchange) against tagged, alternating.
# Packages: scripts/dev/make-s13a-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check lstm-bf16-dh768 9 40 1 4
  check lstm-bf16-dh768 16 1024 1 1
  check lstm-bf16-dh768 5 33 2 3
  check lstm-bf16-dh768 3 1 1 2
  check lstm-bf16-dh768 40 30 1 5
  for c in gru elman slstm; do
    check $c-bf16-dh768 9 40 1 4
    check $c-bf16-dh768 5 33 2 3
  done
  check lstm-f16-dh768 9 40 1 4
  check lstm-bf16-dh1024 9 40 1 4
  check lstm-bf16-dh1024 16 256 1 6
  check lstm-bf16-dh768-sm80 9 40 1 4
  check lstm-bf16-dh2048 3 20 1 2
  check lstm-bf16-dh64 16 1024 12 1
  echo "wrap: $(timeout 150 $R $P/elman-bf16-dh768 --random 3 --batch 2 --seq 65600 --heads 1 --device cuda --check 2>&1 | grep -E '^check|rror' | tr '\n' ' ')"
} > $O/check.txt 2>&1
check_summary $O/check.txt
grep wrap $O/check.txt
stamp checked
{ sanitize memcheck lstm-bf16-dh768; sanitize synccheck lstm-bf16-dh768; sanitize racecheck lstm-bf16-dh768; } | tee $O/san.txt
stamp sanitized
{
  for round in 1 2; do
    for p in lstm-bf16-dh768 gru-bf16-dh768 elman-bf16-dh768; do
      echo "# $p base"; bench n-$p 10 --shape 16,1024,1
      echo "# $p tagged"; bench $p 10 --shape 16,1024,1
    done
  done
  echo "# lstm768 B8/B64 base"; bench n-lstm-bf16-dh768 5 --shape 8,1024,1 --shape 64,1024,1
  echo "# lstm768 B8/B64 tagged"; bench lstm-bf16-dh768 5 --shape 8,1024,1 --shape 64,1024,1
  echo "# lstm768 f16 base"; bench n-lstm-f16-dh768 10 --shape 16,1024,1
  echo "# lstm768 f16 tagged"; bench lstm-f16-dh768 10 --shape 16,1024,1
  echo "# lstm64 control"; bench lstm-bf16-dh64 20 --shape 16,1024,12
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
