#!/usr/bin/env bash
# Fourteenth session, fifth call: the grid barrier's gather after GridSync's
# review refactor (ptxas moves two instructions of LSTM 768's forward):
# float64 checks and the B = 16 timing, against s14c's 2.307 / 8.637 ms.
# Packages: flashrnn-compile examples/{lstm,gru}.mlir --head-dim 768 into
# gpu-packages/{lstm,gru}-bf16-dh768.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ for p in lstm-bf16-dh768 gru-bf16-dh768; do check $p 9 40 1 4; check $p 16 300 1 6; done; } > $O/check.txt 2>&1
check_summary $O/check.txt
for p in lstm-bf16-dh768 gru-bf16-dh768; do echo "# $p"; bench $p 10 --shape 16,1024,1; done > $O/ab.txt 2>&1
tables $O/ab.txt
stamp done
