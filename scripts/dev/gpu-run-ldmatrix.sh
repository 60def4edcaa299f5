#!/usr/bin/env bash
# One GPU call (sixth session, first on an H200): the kernels with h and dg
# fragments by ldmatrix, the input part folded into the first accumulator
# and the inference forward's Wx pointers, checked against float64 (every
# example cell, forward and training pass; the split and cluster kernels),
# racecheck and memcheck, the SASS of the forward loops, then the timings
# of the session's start (gpu-packages/base-*, compiled at 9430560) against
# the new packages, every TARGETS.md row, and the cuDNN anchor in the same
# run. Packages: made on the dev machine (see docs/PERFORMANCE.md).
set -u
O=${OUT:-.}
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 )) s] $*"; }
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $O/build.log 2>&1 && ninja -C build-gpu >> $O/build.log 2>&1 || { tail -20 $O/build.log; exit 2; }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
stamp built
R=build-gpu/bin/flashrnn-run
B=build-gpu/bin/flashrnn-bench
P=gpu-packages

# SASS of the inference and training forward and the backward (base, new).
for p in base-lstm-bf16-dh64 lstm-bf16-dh64; do
  /usr/local/cuda/bin/ptxas -arch=sm_90 $P/$p/kernels.ptx -o /tmp/$p.cubin &&
  $(command -v cuobjdump || echo /usr/local/cuda/bin/cuobjdump) -sass /tmp/$p.cubin > /tmp/$p.sass 2>&1
  echo "== $p"; cat /tmp/$p.sass
done > $O/sass.txt 2>&1
stamp sass

# Checks: inference forward and training pass against the float64 reference.
check() { # PKG B T NH SEED
  for mode in "" "--backward"; do
    out=$(timeout 60 $R $P/$1 --random $5 --batch $2 --seq $3 --heads $4 --device cuda --check $mode 2>&1)
    echo "$1 $2,$3,$4 ${mode:---forward}: $(echo "$out" | grep -E '^check' | tr '\n' ' ') worst $(echo "$out" | grep -oE 'rel_frobenius=[0-9.e+-]+' | sort -t= -k2 -g | tail -1)"
    echo "$out" | grep -E "FAIL|rror" | head -3
  done
}
{
  check lstm-bf16-dh64 16 1024 12 1
  for c in lstm gru slstm elman cifg_lstm ligru janet; do check $c-bf16-dh64 11 60 2 7; done
  check lstm-f16-dh64 13 60 3 3
  for p in lstm-bf16-dh48 gru-bf16-dh128 lstm-bf16-dh128 lstm-bf16-dh256 slstm-bf16-dh256 elman-bf16-dh256 gru-bf16-dh256; do check $p 9 50 2 5; done
  for p in lstm-bf16-dh768 elman-bf16-dh768 gru-bf16-dh768 lstm-f16-dh768; do check $p 9 40 1 4; done
} > $O/check.txt 2>&1
grep -c "check: PASS" $O/check.txt; grep -E "FAIL|rror" $O/check.txt | head
stamp checked

SAN=/usr/local/cuda/bin/compute-sanitizer
for run in "racecheck" "racecheck --backward" "memcheck --backward"; do
  set -- $run
  timeout 45 $SAN --tool $1 --error-exitcode 9 $R $P/lstm-bf16-dh64 --random 1 --batch 5 --seq 12 --heads 2 --device cuda --check ${2:-} > /tmp/san.txt 2>&1
  echo "$1 lstm dh64 ${2:---forward} rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt)"
done | tee $O/san.txt
stamp sanitized

bench() { timeout 60 $B $P/$1 --no-check --backward --repeat $2 "${@:3}" 2>&1 | grep -E "^\| ([0-9]|B )|rror"; }
{
  echo "## base (9430560) against new, same run"
  for p in lstm-bf16-dh64 gru-bf16-dh64 elman-bf16-dh64 lstm-f16-dh64; do
    echo "# base-$p"; bench base-$p 20 --shape 16,1024,12
    echo "# $p"; bench $p 20 --shape 16,1024,12
  done
  for p in lstm-bf16-dh768 lstm-bf16-dh256; do
    nh=$([ $p = lstm-bf16-dh768 ] && echo 1 || echo 3)
    echo "# base-$p"; bench base-$p 10 --shape 16,1024,$nh
    echo "# $p"; bench $p 10 --shape 16,1024,$nh
  done
} > $O/bench.txt 2>&1
cat $O/bench.txt
stamp compared
[ "${CUDNN:-1}" = 1 ] && { timeout 90 python3 scripts/cudnn_anchor.py > $O/cudnn.txt 2>&1; cat $O/cudnn.txt; }
stamp cudnn
{
  echo "## rows"
  echo "# lstm-bf16-dh64"; bench lstm-bf16-dh64 20 --shape 2,1024,12 --shape 64,1024,12
  bench lstm-bf16-dh64 5 --shape 256,1024,12
  echo "# lstm-bf16-dh768"; bench lstm-bf16-dh768 10 --shape 8,1024,1; bench lstm-bf16-dh768 5 --shape 64,1024,1
  for p in slstm-bf16-dh64 slstm-bf16-dh768 gru-bf16-dh768 elman-bf16-dh768 lstm-f16-dh768; do
    nh=$(case $p in *dh64) echo 12;; *) echo 1;; esac)
    echo "# $p"; bench $p 10 --shape 16,1024,$nh
  done
} > $O/rows.txt 2>&1
cat $O/rows.txt
stamp done
