#!/usr/bin/env bash
# Eleventh session, fifth call: sLSTM 64 (two warps per group) with the
# progress published from inside the step, the committed rule (s11c/d had
# it between periods). Packages: scripts/dev/make-s11a-packages.sh, then
# slstm-bf16-dh64 rebuilt by this checkout.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ cmake -G Ninja -S $P/base-src/runtime -B build-base -DCMAKE_BUILD_TYPE=Release && ninja -C build-base; } > $O/build-base.log 2>&1 || { tail -20 $O/build-base.log; exit 2; }
{ check slstm-bf16-dh64 16 1024 12 1; check slstm-bf16-dh64 11 61 2 7; } > $O/check.txt 2>&1
check_summary $O/check.txt
{
  for round in 1 2; do
    echo "# slstm64 base"; timeout 60 build-base/bin/flashrnn-bench $P/b-slstm-bf16-dh64 --no-check --backward --repeat 10 --shape 16,1024,12 2>&1 | grep -E "^\| [0-9]|rror"
    echo "# slstm64 new"; bench slstm-bf16-dh64 10 --shape 16,1024,12
    echo "# slstm64 after"; bench slstm-bf16-dh64 10 --shape 16,1024,12 --no-reduce-overlap
  done
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
