#!/usr/bin/env bash
# Eighth session, fourth GPU call: the split backwards' prefetch at the
# shortest sequences (T = 1: the first load is of the last step, the
# prefetch a reload of step 0; T = 2), against float64.
# Packages: as gpu-run-s8c.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ for T in 1 2 3; do
    check lstm-bf16-dh256 9 $T 2 11; check slstm-bf16-dh256 5 $T 1 12; check gru-bf16-dh128 7 $T 2 13
    check elman-bf16-dh768 9 $T 1 14; check lstm-f16-dh768 3 $T 1 15
  done; } > $O/check.txt 2>&1
check_summary $O/check.txt
cat $O/check.txt
stamp done
