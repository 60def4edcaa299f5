#!/usr/bin/env bash
# One GPU call after the tensor-core backward began staging its gate
# gradients (dgates, dwx) like the forward's outputs: every cell's training
# pass checked against float64 (odd B, T = 1 and short T, DH 32 to 768, one
# head of 2048), sanitized (single CTA, cluster and grid backward), timed
# for the rows of docs/PERFORMANCE.md next to --no-staged-stores packages
# ("-direct"); CUDNN=1 adds the cuDNN anchor. Full logs in $OUT.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
R=build-gpu/bin/flashrnn-run
P=gpu-packages
run() { echo "### $*"; timeout 150 "$@" 2>&1 | grep -E "PASS|FAIL|rror" | tr -s ' ' | cut -c1-120; echo "rc=${PIPESTATUS[0]}"; }
{
echo "=== checks"
run $R $P/lstm-bf16-dh64 --random 2 --batch 16 --seq 1024 --heads 12 --device cuda --backward --check --repeat 2
for pk in lstm-bf16-dh64 gru-bf16-dh64 slstm-bf16-dh64 elman-bf16-dh64 ligru-bf16-dh64 cifg_lstm-bf16-dh64 janet-bf16-dh64 lstm-f16-dh64 lstm-bf16-dh48 lstm-bf16-dh32 slstm-bf16-dh48 lstm-bf16-dh128 gru-bf16-dh128 lstm-bf16-dh256 gru-bf16-dh256 slstm-bf16-dh256 elman-bf16-dh256 ligru-bf16-dh256; do
  run $R $P/$pk --random 8 --batch 11 --seq 60 --heads 2 --device cuda --backward --check --repeat 2
done
run $R $P/lstm-bf16-dh64 --random 4 --batch 3 --seq 1 --heads 2 --device cuda --backward --check --repeat 2
run $R $P/gru-bf16-dh64 --random 5 --batch 7 --seq 5 --heads 3 --device cuda --backward --check --repeat 2
run $R $P/elman-bf16-dh64 --random 6 --batch 1 --seq 33 --heads 1 --device cuda --backward --check --repeat 2
for pk in gru-bf16-dh768 lstm-bf16-dh768 elman-bf16-dh768 ligru-bf16-dh768; do
  run $R $P/$pk --random 10 --batch 5 --seq 24 --heads 1 --device cuda --backward --check --repeat 1
done
run $R $P/lstm-bf16-dh2048 --random 11 --batch 4 --seq 16 --heads 1 --device cuda --backward --check --repeat 1
echo "=== sanitizers"
SAN=/usr/local/cuda/bin/compute-sanitizer
for pk in lstm-bf16-dh64 gru-bf16-dh256 gru-bf16-dh768 ligru-bf16-dh768; do
  for tool in memcheck racecheck synccheck; do
    timeout 150 $SAN --tool $tool --error-exitcode 9 $R $P/$pk --random 3 --batch 9 --seq 6 --heads 2 --device cuda --backward --check --repeat 1 > /tmp/san.txt 2>&1
    echo "$tool $pk rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt | head -2 | tr '\n' ' ')"
  done
done
} > $OUT/check.txt 2>&1
echo "PASS lines: $(grep -cE 'PASS$' $OUT/check.txt), runs: $(grep -c '^###' $OUT/check.txt)"; grep -E "FAIL|rc=[1-9]" $OUT/check.txt | head; grep -E "^(memcheck|racecheck|synccheck)" $OUT/check.txt
echo "=== timing"
{
for spec in lstm-bf16-dh64:16,1024,12 lstm-bf16-dh64-direct:16,1024,12 lstm-bf16-dh64:2,1024,12 lstm-bf16-dh64:64,1024,12 lstm-f16-dh64:16,1024,12 \
            gru-bf16-dh64:16,1024,12 elman-bf16-dh64:16,1024,12 slstm-bf16-dh64:16,1024,12 \
            lstm-bf16-dh256:16,1024,3 gru-bf16-dh256:16,1024,3 gru-bf16-dh256-direct:16,1024,3 elman-bf16-dh256:16,1024,3 slstm-bf16-dh256:16,1024,3 lstm-bf16-dh128:16,1024,6 \
            lstm-bf16-dh768:16,1024,1 lstm-bf16-dh768:8,1024,1 lstm-bf16-dh768:64,1024,1 gru-bf16-dh768:16,1024,1 gru-bf16-dh768-direct:16,1024,1 elman-bf16-dh768:16,1024,1 slstm-bf16-dh768:16,1024,1; do
  pk=${spec%%:*}; sh=${spec#*:}
  echo "### $pk $sh"
  timeout 100 build-gpu/bin/flashrnn-bench $P/$pk --shape $sh --backward --no-check --repeat 20 2>&1 | grep -E "^\| [0-9]|rror" | head -4
done
} > $OUT/bench.txt 2>&1
cat $OUT/bench.txt
[ "${CUDNN:-0}" = 1 ] && { timeout 150 python3 scripts/cudnn_anchor.py > $OUT/cudnn.txt 2>&1; tail -8 $OUT/cudnn.txt; }
timeout 200 build-gpu/bin/flashrnn-bench $P/lstm-bf16-dh64 --shape 256,1024,12 --backward --no-check --repeat 5 2>&1 | grep -E "^\| [0-9]|rror" | head -2
