#!/usr/bin/env bash
# Thirteenth session, third call: is the scalar backward slower since the
# eleventh session (sLSTM 768: 35.0 ms in h200-s10b, 49.7 in h200-s12a)?
# 5c1567d's packages on 5c1567d's runtime against this checkout's on this
# runtime, same call. Packages: make-s13c-packages.sh (both sides --no-mma).
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ cmake -G Ninja -S $P/base-src/runtime -B build-base -DCMAKE_BUILD_TYPE=Release && ninja -C build-base; } > $O/build-base.log 2>&1 || { tail -20 $O/build-base.log; exit 2; }
Bb=build-base/bin/flashrnn-bench
{ check lstm-f32-dh64 11 60 2 7; check slstm-bf16-dh768 9 40 1 4; } > $O/check.txt 2>&1
check_summary $O/check.txt
{
  for round in 1 2; do
    echo "# slstm768 5c1567d"; timeout 90 $Bb $P/c10-slstm-bf16-dh768 --no-check --backward --repeat 3 --shape 16,1024,1 2>&1 | grep -E "^\| [0-9]|rror"
    echo "# slstm768 this"; T=90 bench slstm-bf16-dh768 3 --shape 16,1024,1
    echo "# lstm f32 64 5c1567d"; timeout 90 $Bb $P/c10-lstm-f32-dh64 --no-check --backward --repeat 5 --shape 16,1024,12 2>&1 | grep -E "^\| [0-9]|rror"
    echo "# lstm f32 64 this"; T=90 bench lstm-f32-dh64 5 --shape 16,1024,12
  done
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
