#!/usr/bin/env bash
# One GPU call: the backward's staged stores with the copy of the previous
# step after the adjoints (instead of at the top of the step), checked and
# timed next to --no-staged-stores packages (gpu-packages/v2).
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
P=gpu-packages/v2
for pk in lstm-bf16-dh64 gru-bf16-dh256 gru-bf16-dh768; do
  timeout 100 build-gpu/bin/flashrnn-run $P/$pk --random 8 --batch 11 --seq 40 --heads 2 --device cuda --backward --check --repeat 1 2>&1 | grep -E "^check|FAIL"
done
timeout 100 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 build-gpu/bin/flashrnn-run $P/lstm-bf16-dh64 --random 3 --batch 9 --seq 6 --heads 2 --device cuda --backward --check --repeat 1 2>&1 | grep -E "RACECHECK SUMMARY"
for spec in lstm-bf16-dh64:16,1024,12 lstm-bf16-dh64-direct:16,1024,12 lstm-bf16-dh64:2,1024,12 lstm-bf16-dh64-direct:2,1024,12 gru-bf16-dh64:16,1024,12 gru-bf16-dh64-direct:16,1024,12 slstm-bf16-dh64:16,1024,12 slstm-bf16-dh64-direct:16,1024,12 gru-bf16-dh256:16,1024,3 gru-bf16-dh768:16,1024,1; do
  pk=${spec%%:*}; sh=${spec#*:}
  echo "### $pk $sh"
  timeout 100 build-gpu/bin/flashrnn-bench $P/$pk --shape $sh --backward --no-check --repeat 20 2>&1 | grep -E "^\| [0-9]|rror" | head -4
done
