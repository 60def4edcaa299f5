#!/usr/bin/env bash
# One GPU call for the training kernels: checked (every cell, bf16/f16,
# DH 48/64/128/768/2048), sanitized (memcheck, racecheck), and timed with the
# per-kernel split. Needs gpu-packages/ (scripts/make-gpu-packages.sh)
# carried.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
B=build-gpu/bin/flashrnn-bench
R=build-gpu/bin/flashrnn-run
SAN=/usr/local/cuda/bin/compute-sanitizer
{
echo "== sanitizer (lstm bf16 dh64, B 5 T 40 NH 2, training pass)"
for tool in memcheck racecheck; do
  timeout 120 $SAN --tool $tool --error-exitcode 9 $R gpu-packages/lstm-bf16-dh64 --random 1 --batch 5 --seq 40 --heads 2 --device cuda --backward --check 2>&1 | tail -4
  echo "$tool rc=${PIPESTATUS[0]}"
done
} > $OUT/sanitizer.txt 2>&1
cat $OUT/sanitizer.txt
{
timeout 100 $B gpu-packages/lstm-bf16-dh64 --shape 16,1024,12 --shape 2,1024,12 --backward --repeat 10
for c in gru slstm elman; do timeout 60 $B gpu-packages/$c-bf16-dh64 --shape 16,1024,12 --backward --no-check --repeat 10; done
timeout 60 $B gpu-packages/lstm-f16-dh64 --shape 16,1024,12 --backward --no-check --repeat 10
timeout 100 $B gpu-packages/lstm-bf16-dh64 --shape 64,1024,12 --backward --no-check --repeat 5
} > $OUT/bench.txt 2>&1
grep -E "^package|^\| [0-9]" $OUT/bench.txt
mkdir -p q && for p in lstm gru slstm elman cifg_lstm ligru janet; do cp -r gpu-packages/$p-bf16-dh64 q/; done
cp -r gpu-packages/gru-bf16-dh128 gpu-packages/elman-f16-dh128 q/
cp -r gpu-packages/lstm-f16-dh64 gpu-packages/lstm-bf16-dh48 gpu-packages/lstm-bf16-dh128 gpu-packages/gru-f16-dh64 q/
LOGS_DIR=/tmp/logs timeout 230 bash scripts/gpu-check.sh --packages q --no-sanitizer --repeat 5 --shapes "16,1024,12" > $OUT/check.txt 2>&1; echo check rc=$?
mkdir -p q2 && cp -r gpu-packages/lstm-bf16-dh2048 q2/
LOGS_DIR=/tmp/logs2 timeout 120 bash scripts/gpu-check.sh --packages q2 --no-sanitizer --repeat 3 > $OUT/check2.txt 2>&1; echo check2 rc=$?
grep -E "^\| [a-z_]+ \|" $OUT/check.txt $OUT/check2.txt | grep -v "^.*| cell" | cut -c1-220
timeout 150 $B gpu-packages/lstm-bf16-dh64 --shape 256,1024,12 --backward --no-check --repeat 3 > $OUT/bench256.txt 2>&1; grep -E '^\| [0-9]' $OUT/bench256.txt
tar czf $OUT/logs.tgz -C /tmp logs logs2 2>/dev/null; ls $OUT
