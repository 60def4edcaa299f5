#!/usr/bin/env bash
# One GPU call: the tensor-core forward with staged output stores (states,
# and in training the saved gate values and states, written a step later as
# 16-byte runs) checked against float64 for every cell and head size it
# applies to, sanitized, and timed next to the same packages compiled with
# --no-staged-stores (the "-direct" packages).
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
R=build-gpu/bin/flashrnn-run
P=gpu-packages
run() { echo "### $*"; timeout 150 "$@" 2>&1 | grep -E "PASS|FAIL|rror" | tr -s ' ' | cut -c1-120; echo "rc=${PIPESTATUS[0]}"; }
echo "=== checks"
run $R $P/lstm-bf16-dh64 --random 1 --batch 16 --seq 1024 --heads 12 --device cuda --check --repeat 3
run $R $P/lstm-bf16-dh64 --random 2 --batch 16 --seq 1024 --heads 12 --device cuda --backward --check --repeat 2
for pk in lstm-bf16-dh64 gru-bf16-dh64 slstm-bf16-dh64 elman-bf16-dh64 ligru-bf16-dh64 lstm-f16-dh64 lstm-bf16-dh48 slstm-bf16-dh48 lstm-bf16-dh128 gru-bf16-dh128 lstm-bf16-dh256 gru-bf16-dh256 slstm-bf16-dh256 elman-bf16-dh256; do
  run $R $P/$pk --random 7 --batch 13 --seq 150 --heads 3 --device cuda --check --repeat 2
  run $R $P/$pk --random 8 --batch 11 --seq 60 --heads 2 --device cuda --backward --check --repeat 2
done
for pk in gru-bf16-dh768 elman-bf16-dh768 lstm-bf16-dh768 lstm-bf16-dh768-inf; do
  run $R $P/$pk --random 9 --batch 5 --seq 40 --heads 1 --device cuda --check --repeat 2
done
for pk in gru-bf16-dh768 lstm-bf16-dh768; do
  run $R $P/$pk --random 10 --batch 5 --seq 24 --heads 1 --device cuda --backward --check --repeat 1
done
echo "=== sanitizers"
SAN=/usr/local/cuda/bin/compute-sanitizer
for spec in lstm-bf16-dh64:--backward lstm-bf16-dh256:--backward gru-bf16-dh768:--backward lstm-bf16-dh768-inf:; do
  pk=${spec%%:*}; extra=${spec#*:}
  for tool in memcheck racecheck; do
    timeout 150 $SAN --tool $tool --error-exitcode 9 $R $P/$pk --random 3 --batch 9 --seq 6 --heads 2 --device cuda $extra --check --repeat 1 > /tmp/san.txt 2>&1
    echo "$tool $pk $extra rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -2 | tr '\n' ' ')"
  done
done
echo "=== timing"
for spec in lstm-bf16-dh64:16,1024,12 lstm-bf16-dh64-direct:16,1024,12 lstm-bf16-dh64:2,1024,12 lstm-bf16-dh64-direct:2,1024,12 lstm-bf16-dh64:64,1024,12 lstm-bf16-dh64-direct:64,1024,12 \
            gru-bf16-dh64:16,1024,12 gru-bf16-dh64-direct:16,1024,12 elman-bf16-dh64:16,1024,12 elman-bf16-dh64-direct:16,1024,12 slstm-bf16-dh64:16,1024,12 slstm-bf16-dh64-direct:16,1024,12 \
            lstm-bf16-dh256:16,1024,3 lstm-bf16-dh256-direct:16,1024,3 lstm-bf16-dh768-inf:16,1024,1 lstm-bf16-dh768-inf-direct:16,1024,1 gru-bf16-dh768:16,1024,1; do
  pk=${spec%%:*}; sh=${spec#*:}
  echo "### $pk $sh"
  bw=--backward; case $pk in *-inf*) bw=;; esac
  timeout 100 build-gpu/bin/flashrnn-bench $P/$pk --shape $sh $bw --no-check --repeat 20 2>&1 | grep -E "^\| [0-9]|rror" | head -4
done
