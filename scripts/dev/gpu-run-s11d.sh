#!/usr/bin/env bash
# Eleventh session, fourth call: as gpu-run-s11c.sh, with the reduction's
# wait polled by thread 0 alone, once a microsecond (s11c: every thread,
# every 128 ns: LSTM 768 B = 8 backward 9.47 ms). Checks, then base
# (5c1567d) against this for the training rows. Packages:
# scripts/dev/make-s11a-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ cmake -G Ninja -S $P/base-src/runtime -B build-base -DCMAKE_BUILD_TYPE=Release && ninja -C build-base; } > $O/build-base.log 2>&1 || { tail -20 $O/build-base.log; exit 2; }
{
  check lstm-bf16-dh64 16 1024 12 1
  for c in lstm gru slstm cifg_lstm ligru janet; do check $c-bf16-dh64 11 60 2 7; done
  for p in lstm-bf16-dh256 slstm-bf16-dh256 gru-bf16-dh128; do check $p 9 50 2 5; done
  for p in lstm-bf16-dh768 gru-bf16-dh768 lstm-f16-dh768; do check $p 9 40 1 4; done
  check lstm-bf16-dh768 8 70 1 3
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
Bb=build-base/bin/flashrnn-bench
ab() { # NAME PKG REPEAT SHAPES...
  echo "# $1 base"; timeout 90 $Bb $P/b-$2 --no-check --backward --repeat $3 "${@:4}" 2>&1 | grep -E "^\| [0-9]|rror"
  echo "# $1 new"; T=90 bench $2 $3 "${@:4}"
}
{
  ab lstm64 lstm-bf16-dh64 20 --shape 2,1024,12 --shape 16,1024,12 --shape 64,1024,12
  ab gru64 gru-bf16-dh64 20 --shape 16,1024,12
  ab cifg64 cifg_lstm-bf16-dh64 20 --shape 16,1024,12
  ab slstm64 slstm-bf16-dh64 10 --shape 16,1024,12
  ab lstm256 lstm-bf16-dh256 10 --shape 16,1024,3
  ab lstm768 lstm-bf16-dh768 5 --shape 8,1024,1 --shape 16,1024,1
  ab gru768 gru-bf16-dh768 5 --shape 16,1024,1
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
