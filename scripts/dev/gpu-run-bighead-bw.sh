#!/usr/bin/env bash
# One GPU call: the tensor-core backward spread over CTAs (big heads)
# checked against the float64 reference on short sequences (every gradient),
# one compute-sanitizer pass, then the training pass timed at T = 1024.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
run() { echo "### $*"; timeout 150 "$@" 2>&1 | grep -E "PASS|FAIL|error|rror:" | tr -s ' ' | cut -c1-110; echo "rc=${PIPESTATUS[0]}"; }
P=gpu-packages
for pk in lstm-bf16-dh768 lstm-f16-dh768 gru-bf16-dh768 elman-bf16-dh768 ligru-bf16-dh768 slstm-bf16-dh768; do
  run build-gpu/bin/flashrnn-run $P/$pk --random 8 --batch 11 --seq 24 --heads 1 --device cuda --backward --check --repeat 2
done
for pk in lstm-bf16-dh256 slstm-bf16-dh256 gru-bf16-dh256 elman-bf16-dh256 lstm-bf16-dh128 gru-bf16-dh128 lstm-bf16-dh64; do
  run build-gpu/bin/flashrnn-run $P/$pk --random 9 --batch 11 --seq 40 --heads 2 --device cuda --backward --check --repeat 2
done
echo "=== sanitizer (memcheck, racecheck) on LSTM 256x2 training pass"
for tool in memcheck racecheck; do
  timeout 200 compute-sanitizer --tool $tool --error-exitcode 9 build-gpu/bin/flashrnn-run $P/lstm-bf16-dh256 --random 3 --batch 9 --seq 6 --heads 2 --device cuda --backward --check --repeat 1 2>&1 | grep -E "ERROR SUMMARY|check:" ; echo "$tool rc=${PIPESTATUS[0]}"
done
echo "=== timing"
for spec in lstm-bf16-dh768:16,1024,1 lstm-bf16-dh768:8,1024,1 lstm-bf16-dh768:64,1024,1 lstm-f16-dh768:16,1024,1 slstm-bf16-dh768:16,1024,1 gru-bf16-dh768:16,1024,1 elman-bf16-dh768:16,1024,1 lstm-bf16-dh256:16,1024,3 lstm-bf16-dh128:16,1024,6 lstm-bf16-dh64:16,1024,12; do
  pk=${spec%%:*}; sh=${spec#*:}
  echo "### $pk $sh"
  timeout 100 build-gpu/bin/flashrnn-bench $P/$pk --shape $sh --backward --no-check --repeat 10 2>&1 | grep -E "^\| [0-9]|error" | head -4
done
