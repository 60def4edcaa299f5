#!/usr/bin/env bash
# The first GPU call for the next session (written in the seventh, whose
# device time ran out): the K-slice knobs added after its last GPU call,
# never run on a GPU yet. At B = 16, 64x12 the backward (1.25 of the 1.98 ms
# of forward+backward) is issue-bound with one warp per scheduler (ncu:
# 552 SASS per step, "selected" 30% of the stall samples); two K slices
# give each scheduler two warps with half the mma each, at the price of a
# partial-sum exchange and a second barrier per step. Checks first (the
# one-CTA K-sliced kernels have not been run before), then racecheck, then
# default against fk2/bk2, interleaved. (ptxas: sLSTM's training forward
# with two forward slices spills 20 bytes at 128 registers.)
# Packages: scripts/dev/make-next-packages.sh.
set -u
O=${OUT:-.}
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $O/build.log 2>&1 && ninja -C build-gpu >> $O/build.log 2>&1 || { tail -20 $O/build.log; exit 2; }
R=build-gpu/bin/flashrnn-run
B=build-gpu/bin/flashrnn-bench
P=gpu-packages
{
  for c in lstm gru slstm elman; do for v in fk2-$c bk2-$c; do
    for mode in "" "--backward"; do
      out=$(timeout 60 $R $P/$v-bf16-dh64 --random 7 --batch 11 --seq 60 --heads 2 --device cuda --check $mode 2>&1)
      echo "$v ${mode:---forward}: $(echo "$out" | grep -E '^check' | tr '\n' ' ')"
    done
  done; done
} > $O/check.txt 2>&1
echo "PASS: $(grep -c 'check: PASS' $O/check.txt) of 16"; grep -v "PASS" $O/check.txt | head
for v in fk2-lstm bk2-lstm; do
  timeout 60 /usr/local/cuda/bin/compute-sanitizer --tool racecheck --error-exitcode 9 $R $P/$v-bf16-dh64 --random 1 --batch 5 --seq 12 --heads 2 --device cuda --check --backward > /tmp/san.txt 2>&1
  echo "racecheck $v rc=$? $(grep -E 'RACECHECK SUMMARY' /tmp/san.txt)"
done | tee $O/san.txt
bench() { timeout 60 $B $P/$1 --no-check --backward --repeat 20 --shape 16,1024,12 2>&1 | grep -E "^\| [0-9]|rror"; }
{
  for c in lstm gru slstm elman; do for round in 1 2; do
    for v in $c fk2-$c bk2-$c; do echo "# $v"; bench $v-bf16-dh64; done
  done; done
} > $O/bench.txt 2>&1
cat $O/bench.txt
