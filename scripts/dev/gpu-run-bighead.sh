#!/usr/bin/env bash
# One GPU call: the tensor-core forward spread over CTAs (big heads) checked
# against the float64 reference on short sequences, then timed at T = 1024.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
run() { echo "### $*"; timeout 120 "$@" 2>&1 | tail -${TAILN:-6}; echo "rc=$?"; }
P=gpu-packages
for pk in lstm-bf16-dh768 lstm-f16-dh768 slstm-bf16-dh768 gru-bf16-dh768 elman-bf16-dh768; do
  run build-gpu/bin/flashrnn-run $P/$pk --random 7 --batch 16 --seq 64 --heads 1 --device cuda --check --repeat 3
  run build-gpu/bin/flashrnn-run $P/$pk --random 8 --batch 5 --seq 32 --heads 1 --device cuda --backward --check --repeat 2
done
for pk in lstm-bf16-dh256 lstm-bf16-dh128 lstm-bf16-dh64 slstm-bf16-dh256; do
  run build-gpu/bin/flashrnn-run $P/$pk --random 7 --batch 16 --seq 128 --heads 3 --device cuda --check --repeat 3
  run build-gpu/bin/flashrnn-run $P/$pk --random 8 --batch 5 --seq 32 --heads 2 --device cuda --backward --check --repeat 2
done
echo "=== timing"
for spec in lstm-bf16-dh768:16,1024,1 lstm-bf16-dh768:8,1024,1 lstm-bf16-dh768:64,1024,1 lstm-f16-dh768:16,1024,1 slstm-bf16-dh768:16,1024,1 gru-bf16-dh768:16,1024,1 elman-bf16-dh768:16,1024,1 lstm-bf16-dh256:16,1024,3 lstm-bf16-dh128:16,1024,6 lstm-bf16-dh128-nomma:16,1024,6 lstm-bf16-dh64:16,1024,12; do
  pk=${spec%%:*}; sh=${spec#*:}
  echo "### $pk $sh"
  timeout 100 build-gpu/bin/flashrnn-bench $P/$pk --shape $sh --backward --no-check --repeat 10 2>&1 | grep -E "^\| [0-9]|split|error" | head -4
done
