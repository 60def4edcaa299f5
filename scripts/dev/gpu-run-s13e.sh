#!/usr/bin/env bash
# Thirteenth session, fifth call: after s13d (this package's scalar backward
# of sLSTM 768 takes 24.5 ms in one launch at B = 8 and twice that in two at
# B = 16, against 35 ms at B = 16 for 5c1567d's): 5c1567d's package and
# runtime at B = 8 and 16, and why this runtime refuses 5c1567d's package.
set -u
. "$(dirname "$0")/gpu-lib.sh"
{ cmake -G Ninja -S $P/base-src/runtime -B build-base -DCMAKE_BUILD_TYPE=Release && ninja -C build-base; } > $O/build-base.log 2>&1 || { tail -20 $O/build-base.log; exit 2; }
build_runtime
Bb=build-base/bin/flashrnn-bench
{
  for round in 1 2; do
    for s in 8,1024,1 16,1024,1 24,1024,1; do
      echo "# c10 $s"; timeout 90 $Bb $P/c10-slstm-bf16-dh768 --no-check --backward --repeat 3 --shape $s 2>&1 | grep -E "^\| [0-9]|rror"
      echo "# this $s"; T=90 bench slstm-bf16-dh768 3 --shape $s
    done
  done
  echo "# c10 on this runtime"; timeout 60 $B $P/c10-slstm-bf16-dh768 --no-check --backward --repeat 1 --shape 8,64,1 2>&1 | tail -3
} > $O/ab.txt 2>&1
cat $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
