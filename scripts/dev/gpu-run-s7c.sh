#!/usr/bin/env bash
# Seventh session, third GPU call: the Wx ring with each step's inputs read
# a step early (gpu-packages/*, fc61479) against the ring read at use
# (r1-*) and the session's start (cur-*, 5ff2e44); checks against float64,
# racecheck and memcheck; every TARGETS.md row and the cuDNN anchor in the
# same run; ncu's stall samples of the new lstm_forward.
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
  for p in lstm-bf16-dh768 elman-bf16-dh768 gru-bf16-dh768 slstm-bf16-dh768 lstm-f16-dh768; do check $p 9 40 1 4; done
  check lstm-bf16-dh64 3 1 1 8
  check gru-bf16-dh64 5 2 1 9
} > $O/check.txt 2>&1
echo "PASS: $(grep -c 'check: PASS' $O/check.txt) of $(grep -c -- '--forward\|--backward' $O/check.txt)"; grep -E "FAIL|rror" $O/check.txt | head
stamp checked
SAN=/usr/local/cuda/bin/compute-sanitizer
for run in "racecheck lstm-bf16-dh64" "racecheck lstm-bf16-dh64 --backward" "memcheck lstm-bf16-dh64 --backward" "racecheck gru-bf16-dh128" "racecheck slstm-bf16-dh64" "memcheck elman-bf16-dh64"; do
  set -- $run
  timeout 60 $SAN --tool $1 --error-exitcode 9 $R $P/$2 --random 1 --batch 5 --seq 12 --heads 2 --device cuda --check ${3:-} > /tmp/san.txt 2>&1
  echo "$1 $2 ${3:---forward} rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt)"
done | tee $O/san.txt
stamp sanitized
bench() { timeout ${T:-60} $B $P/$1 --no-check --backward --repeat $2 "${@:3}" 2>&1 | grep -E "^\| ([0-9]|B )|rror"; }
{
  echo "## cur (5ff2e44) / r1 (ring, read at use) / new (ring, read a step early), B = 16"
  for c in lstm slstm gru elman; do
    for round in 1 2; do
      for v in cur-$c r1-$c $c; do echo "# $v"; bench $v-bf16-dh64 20 --shape 16,1024,12; done
    done
  done
  for v in cur-lstm r1-lstm lstm; do echo "# $v-bf16-dh768"; bench $v-bf16-dh768 10 --shape 16,1024,1; done
} > $O/bench.txt 2>&1
cat $O/bench.txt
stamp compared
timeout 90 python3 scripts/cudnn_anchor.py > $O/cudnn.txt 2>&1; cat $O/cudnn.txt
stamp cudnn
{
  echo "## rows"
  echo "# lstm-bf16-dh64"; bench lstm-bf16-dh64 20 --shape 2,1024,12 --shape 16,1024,12 --shape 64,1024,12
  T=150 bench lstm-bf16-dh64 5 --shape 256,1024,12
  echo "# lstm-bf16-dh256"; bench lstm-bf16-dh256 10 --shape 16,1024,3
  echo "# lstm-bf16-dh768"; bench lstm-bf16-dh768 10 --shape 8,1024,1 --shape 16,1024,1; bench lstm-bf16-dh768 5 --shape 64,1024,1
  for p in slstm-bf16-dh64 gru-bf16-dh64 elman-bf16-dh64 slstm-bf16-dh768 gru-bf16-dh768 elman-bf16-dh768 lstm-f16-dh768; do
    nh=$(case $p in *dh64) echo 12;; *) echo 1;; esac)
    echo "# $p"; bench $p 10 --shape 16,1024,$nh
  done
} > $O/rows.txt 2>&1
cat $O/rows.txt
stamp rows
NCU=/usr/local/cuda/bin/ncu
k=lstm_forward
timeout 100 $NCU --section SourceCounters --section WarpStateStats --section SchedulerStats -k "regex:^$k\$" -c 1 -o /tmp/$k \
    $R $P/lstm-bf16-dh64 --random 1 --batch 16 --seq 1024 --heads 12 --device cuda --repeat 1 > /tmp/$k.log 2>&1
$NCU -i /tmp/$k.ncu-rep --page source --csv --print-source sass > $O/$k-source.csv 2>&1
grep -E "Warp Cycles Per Issued|Issued Warp|Duration" <($NCU -i /tmp/$k.ncu-rep --page details 2>&1)
stamp done
