#!/usr/bin/env bash
# One GPU call: the reduction with at least two slices per tile (final
# packages: LSTM 768, 2048, 256, 64; Elman 768) checked against float64,
# and LSTM 768 / Elman 768 timed.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
R=build-gpu/bin/flashrnn-run
P=gpu-packages
for spec in lstm-bf16-dh768:9,50,1 elman-bf16-dh768:9,50,1 lstm-bf16-dh2048:4,16,1 lstm-bf16-dh256:11,60,2 lstm-bf16-dh64:13,60,3; do
  pk=${spec%%:*}; sh=${spec#*:}; IFS=, read -r b t nh <<< "$sh"
  echo "### check $pk $sh"; timeout 120 $R $P/$pk --random 6 --batch $b --seq $t --heads $nh --device cuda --backward --check --repeat 1 2>&1 | grep -E "^ d[rb]|^check"
done
for spec in lstm-bf16-dh768:16,1024,1 elman-bf16-dh768:16,1024,1; do
  pk=${spec%%:*}; sh=${spec#*:}
  echo "### $pk $sh"
  timeout 100 build-gpu/bin/flashrnn-bench $P/$pk --shape $sh --backward --no-check --repeat 10 2>&1 | grep -E "^\| [0-9]|rror" | head -2
done
