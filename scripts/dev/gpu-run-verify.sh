#!/usr/bin/env bash
# One short GPU call: the final commit's packages checked (LSTM, GRU, sLSTM,
# Elman bf16 DH 64, forward and training pass) and LSTM timed once more.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
mkdir -p q && for p in lstm gru slstm elman; do cp -r gpu-packages/$p-bf16-dh64 q/; done
LOGS_DIR=/tmp/logs timeout 150 bash scripts/gpu-check.sh --packages q --no-sanitizer --repeat 5 --shapes "16,1024,12" > $OUT/check.txt 2>&1; echo check rc=$?
grep -E "^\| [a-z_]+ \|" $OUT/check.txt | grep -v "| cell" | cut -c1-200
timeout 40 build-gpu/bin/flashrnn-bench gpu-packages/lstm-bf16-dh64 --shape 16,1024,12 --backward --no-check --repeat 20 2>&1 | grep -E "^\| 16"
