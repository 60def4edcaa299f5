#!/usr/bin/env bash
# One GPU call: the tensor-core backward of sLSTM and LSTM 96 (no prefetch)
# and the DH 768 reduction checked and timed; SASS of the LSTM forward and
# backward, and ncu's per-instruction stall samples of both (source page).
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
B=build-gpu/bin/flashrnn-bench
R=build-gpu/bin/flashrnn-run
mkdir -p q && cp -r gpu-packages/slstm-bf16-dh64 gpu-packages/slstm-f16-dh64 gpu-packages/lstm-bf16-dh96 gpu-packages/slstm-bf16-dh48 q/
LOGS_DIR=/tmp/logs timeout 150 bash scripts/gpu-check.sh --packages q --no-sanitizer --repeat 5 --shapes "16,1024,12" > $OUT/check.txt 2>&1; echo check rc=$?
grep -E "^\| [a-z_]+ \|" $OUT/check.txt | grep -v "| cell" | cut -c1-200
{
timeout 60 $B gpu-packages/slstm-bf16-dh64 --shape 16,1024,12 --backward --no-check --repeat 10
timeout 60 $B gpu-packages/lstm-bf16-dh64 --shape 16,1024,12 --backward --no-check --repeat 10
timeout 120 $B gpu-packages/lstm-bf16-dh768 --shape 16,1024,1 --backward --repeat 3
} > $OUT/bench.txt 2>&1
grep -E "^package|^\| [0-9]" $OUT/bench.txt
# SASS of the LSTM kernels (sm_90), for instruction counts per step.
/usr/local/cuda/bin/ptxas -arch=sm_90 gpu-packages/lstm-bf16-dh64/kernels.ptx -o /tmp/k.cubin 2>/dev/null
/usr/local/cuda/bin/cuobjdump -sass /tmp/k.cubin > $OUT/lstm-sass.txt 2>&1; wc -l $OUT/lstm-sass.txt
NCU=/usr/local/cuda/bin/ncu
for k in lstm_forward lstm_backward; do
  extra=(); case $k in *backward*) extra=(--backward);; esac
  timeout 150 $NCU --section SourceCounters --section WarpStateStats --section SchedulerStats -k "regex:^$k\$" -c 1 -o /tmp/$k \
    $R gpu-packages/lstm-bf16-dh64 --random 1 --batch 16 --seq 1024 --heads 12 --device cuda "${extra[@]}" --repeat 1 > /tmp/$k.log 2>&1
  $NCU -i /tmp/$k.ncu-rep --page source --csv --print-source sass > $OUT/$k-source.csv 2>&1
  $NCU -i /tmp/$k.ncu-rep --page details > $OUT/$k-details.txt 2>&1
  grep -E "Warp Cycles Per Issued|Issued Warp|Duration" $OUT/$k-details.txt
done
ls -la $OUT
