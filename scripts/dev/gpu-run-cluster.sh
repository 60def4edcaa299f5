#!/usr/bin/env bash
# One GPU call: the tensor-core forward and backward of heads split over at most 8 CTAs as
# one thread-block cluster (h through distributed shared memory) checked
# against float64 (forward and training pass), sanitized, and timed next to
# the same head with the grid barrier (--no-clusters).
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
run() { echo "### $*"; timeout 150 "$@" 2>&1 | grep -E "PASS|FAIL|rror" | tr -s ' ' | cut -c1-110; echo "rc=${PIPESTATUS[0]}"; }
P=gpu-packages
for pk in lstm-bf16-dh256 lstm-f16-dh256 slstm-bf16-dh256 gru-bf16-dh256 elman-bf16-dh256 ligru-bf16-dh256 lstm-bf16-dh128; do
  run build-gpu/bin/flashrnn-run $P/$pk --random 7 --batch 13 --seq 96 --heads 3 --device cuda --check --repeat 3
  run build-gpu/bin/flashrnn-run $P/$pk --random 8 --batch 11 --seq 40 --heads 2 --device cuda --backward --check --repeat 2
done
echo "=== sanitizer on the cluster forward (LSTM 256x2)"
for tool in memcheck racecheck synccheck; do
  timeout 200 compute-sanitizer --tool $tool --error-exitcode 9 build-gpu/bin/flashrnn-run $P/lstm-bf16-dh256 --random 3 --batch 9 --seq 6 --heads 2 --device cuda --backward --check --repeat 1 2>&1 | grep -E "ERROR SUMMARY|check:|rror" | head -5; echo "$tool rc=${PIPESTATUS[0]}"
done
echo "=== timing"
for spec in lstm-bf16-dh256:16,1024,3 lstm-bf16-dh256-grid:16,1024,3 lstm-f16-dh256:16,1024,3 slstm-bf16-dh256:16,1024,3 gru-bf16-dh256:16,1024,3 elman-bf16-dh256:16,1024,3 lstm-bf16-dh128:16,1024,6 lstm-bf16-dh768:16,1024,1 lstm-bf16-dh64:16,1024,12; do
  pk=${spec%%:*}; sh=${spec#*:}
  echo "### $pk $sh"
  timeout 100 build-gpu/bin/flashrnn-bench $P/$pk --shape $sh --backward --no-check --repeat 10 2>&1 | grep -E "^\| [0-9]|rror" | head -4
done
