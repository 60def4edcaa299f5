#!/usr/bin/env bash
# One GPU call: the backward's late prefetch (sLSTM DH 48/64, LSTM DH 96)
# checked and timed.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
B=build-gpu/bin/flashrnn-bench
mkdir -p q && cp -r gpu-packages/slstm-bf16-dh64 gpu-packages/slstm-bf16-dh48 gpu-packages/lstm-bf16-dh96 gpu-packages/slstm-f16-dh64 q/
LOGS_DIR=/tmp/logs timeout 150 bash scripts/gpu-check.sh --packages q --no-sanitizer --repeat 5 --shapes "16,1024,12" > $OUT/check.txt 2>&1; echo check rc=$?
grep -E "^\| [a-z_]+ \|" $OUT/check.txt | grep -v "| cell" | cut -c1-200
{
for p in slstm-bf16-dh64 lstm-bf16-dh96 lstm-bf16-dh64; do timeout 40 $B gpu-packages/$p --shape 16,1024,12 --backward --no-check --repeat 20; done
} > $OUT/bench.txt 2>&1
grep -E "^package|^\| [0-9]" $OUT/bench.txt
timeout 60 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 build-gpu/bin/flashrnn-run gpu-packages/slstm-bf16-dh64 --random 1 --batch 5 --seq 40 --heads 2 --device cuda --backward --check 2>&1 | grep -E "SUMMARY|check:"
