#!/usr/bin/env bash
# One GPU call: the split backward with each element's adjoint in its own
# K slice (element c in slice c mod S) checked (every gradient), sanitized
# and timed for the big-head rows.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
P=gpu-packages
for pk in lstm-bf16-dh768 lstm-f16-dh768 gru-bf16-dh768 elman-bf16-dh768 ligru-bf16-dh768 slstm-bf16-dh768; do
  echo "### $pk"; timeout 150 build-gpu/bin/flashrnn-run $P/$pk --random 8 --batch 11 --seq 24 --heads 1 --device cuda --backward --check --repeat 2 2>&1 | grep -E "PASS|FAIL|rror" | tr -s ' ' | cut -c1-90
done
for pk in lstm-bf16-dh256 slstm-bf16-dh256 gru-bf16-dh256 elman-bf16-dh256 ligru-bf16-dh256 lstm-bf16-dh128 lstm-bf16-dh64 gru-bf16-dh64; do
  echo "### $pk"; timeout 150 build-gpu/bin/flashrnn-run $P/$pk --random 9 --batch 11 --seq 40 --heads 2 --device cuda --backward --check --repeat 2 2>&1 | grep -E "PASS|FAIL|rror" | tr -s ' ' | cut -c1-90
done
echo "=== sanitizers"
for pk in lstm-bf16-dh256 lstm-bf16-dh768; do for tool in memcheck racecheck synccheck; do
  timeout 250 compute-sanitizer --tool $tool --error-exitcode 9 build-gpu/bin/flashrnn-run $P/$pk --random 3 --batch 9 --seq 4 --heads 1 --device cuda --backward --check --repeat 1 2>&1 | grep -E "SUMMARY|check:|Race" | head -3; echo "$pk $tool rc=${PIPESTATUS[0]}"
done; done
echo "=== timing"
for spec in lstm-bf16-dh768:16,1024,1 lstm-bf16-dh768:8,1024,1 lstm-bf16-dh768:64,1024,1 lstm-f16-dh768:16,1024,1 gru-bf16-dh768:16,1024,1 elman-bf16-dh768:16,1024,1 slstm-bf16-dh768:16,1024,1 lstm-bf16-dh256:16,1024,3 slstm-bf16-dh256:16,1024,3 gru-bf16-dh256:16,1024,3 elman-bf16-dh256:16,1024,3 lstm-bf16-dh128:16,1024,6 lstm-bf16-dh64:16,1024,12; do
  echo "### $spec"; timeout 100 build-gpu/bin/flashrnn-bench $P/${spec%%:*} --shape ${spec#*:} --backward --no-check --repeat 10 2>&1 | grep -E "^\| [0-9]|rror" | head -3
done
