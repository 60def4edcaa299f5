#!/usr/bin/env bash
# One GPU call: the dR/db reduction with three targets for its CTAs per head
# (kCtasPerHead 256 / 768 / 1024 in MmaReduceKernel.cpp; packages under
# gpu-packages/r256, r768, r1024): checked (the split variants) and timed.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
R=build-gpu/bin/flashrnn-run
for d in r768 r1024; do for pk in lstm-bf16-dh256 lstm-bf16-dh768; do
  echo "### check $d $pk"; timeout 100 $R gpu-packages/$d/$pk --random 5 --batch 9 --seq 50 --heads 1 --device cuda --backward --check --repeat 1 2>&1 | grep -E "^ d[rb]|^check"
done; done
for spec in lstm-bf16-dh256:16,1024,3 lstm-bf16-dh768:16,1024,1 lstm-bf16-dh768:64,1024,1 gru-bf16-dh768:16,1024,1; do
  pk=${spec%%:*}; sh=${spec#*:}
  for d in r256 r768 r1024; do
    echo "### $d $pk $sh"
    timeout 100 build-gpu/bin/flashrnn-bench gpu-packages/$d/$pk --shape $sh --backward --no-check --repeat 10 2>&1 | grep -E "^\| [0-9]|rror" | head -2
  done
done
