#!/usr/bin/env bash
# Thirteenth session, fourth call: the scalar backward of sLSTM 768 takes
# 35 ms as 5c1567d builds it and 49-51 ms as this checkout does
# (h200-s13c), with the same per-step PTX (only a counter at the start and
# the progress words at the end differ). Which half: 5c1567d's package on
# this runtime and on its own, this package with and without the reduction
# beside. Packages: make-s13c-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ cmake -G Ninja -S $P/base-src/runtime -B build-base -DCMAKE_BUILD_TYPE=Release && ninja -C build-base; } > $O/build-base.log 2>&1 || { tail -20 $O/build-base.log; exit 2; }
Bb=build-base/bin/flashrnn-bench
{
  for round in 1 2; do
    echo "# c10 package, 5c1567d runtime"; timeout 90 $Bb $P/c10-slstm-bf16-dh768 --no-check --backward --repeat 3 --shape 16,1024,1 2>&1 | grep -E "^\| [0-9]|rror"
    echo "# c10 package, this runtime"; T=90 bench c10-slstm-bf16-dh768 3 --shape 16,1024,1
    echo "# this package, this runtime"; T=90 bench slstm-bf16-dh768 3 --shape 16,1024,1
    echo "# this package, this runtime, reduce after"; T=90 bench slstm-bf16-dh768 3 --shape 16,1024,1 --no-reduce-overlap
    echo "# this package B=8 (one launch)"; T=90 bench slstm-bf16-dh768 3 --shape 8,1024,1
    echo "# c10 package B=8, this runtime"; T=90 bench c10-slstm-bf16-dh768 3 --shape 8,1024,1
  done
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
