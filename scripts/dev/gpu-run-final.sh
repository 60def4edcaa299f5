#!/usr/bin/env bash
# One GPU call: every cell's forward and training pass checked after the
# 32-bit prefetch change, then the timings for docs/PERFORMANCE.md (LSTM
# rows of TARGETS.md, the other cells, fp16) with the per-kernel split, and
# the cuDNN anchor in the same run.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
B=build-gpu/bin/flashrnn-bench
mkdir -p q && for p in lstm gru slstm elman cifg_lstm ligru janet; do cp -r gpu-packages/$p-bf16-dh64 q/; done
cp -r gpu-packages/lstm-f16-dh64 gpu-packages/lstm-bf16-dh48 gpu-packages/gru-bf16-dh128 q/
LOGS_DIR=/tmp/logs timeout 230 bash scripts/gpu-check.sh --packages q --no-sanitizer --repeat 5 --shapes "16,1024,12" > $OUT/check.txt 2>&1; echo check rc=$?
grep -E "^\| [a-z_]+ \|" $OUT/check.txt | grep -v "| cell" | cut -c1-200
{
timeout 60 $B gpu-packages/lstm-bf16-dh64 --shape 16,1024,12 --shape 2,1024,12 --backward --no-check --repeat 20
timeout 60 $B gpu-packages/lstm-f16-dh64 --shape 16,1024,12 --backward --no-check --repeat 20
for c in slstm gru elman; do timeout 40 $B gpu-packages/$c-bf16-dh64 --shape 16,1024,12 --backward --no-check --repeat 20; done
timeout 80 $B gpu-packages/lstm-bf16-dh64 --shape 64,1024,12 --backward --no-check --repeat 5
timeout 120 $B gpu-packages/lstm-bf16-dh64 --shape 256,1024,12 --backward --no-check --repeat 3
} > $OUT/bench.txt 2>&1
grep -E "^package|^\| [0-9]" $OUT/bench.txt
[ "${CUDNN:-1}" = 1 ] && { timeout 120 python3 scripts/cudnn_anchor.py > $OUT/cudnn.txt 2>&1; tail -8 $OUT/cudnn.txt; }
SAN=/usr/local/cuda/bin/compute-sanitizer
for tool in memcheck racecheck; do
  timeout 100 $SAN --tool $tool --error-exitcode 9 build-gpu/bin/flashrnn-run gpu-packages/lstm-bf16-dh64 --random 1 --batch 5 --seq 40 --heads 2 --device cuda --backward --check > /tmp/san.txt 2>&1
  echo "$tool (lstm bf16 dh64 training pass) rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt)"
done
ls $OUT
