#!/usr/bin/env bash
# Seventh session, second GPU call: the forward's Wx through a shared-memory
# ring filled by cp.async three steps ahead (no loop-carried registers, so
# no moves that wait on the prefetch's loads), checked against float64
# (every example cell, the cluster, K-slice and grid-barrier kernels),
# racecheck and memcheck, then timed against the session's start
# (gpu-packages/cur-*, 5ff2e44) and the reordered stores alone (ro-*);
# ncu's stall samples of the new lstm_forward.
set -u
O=${OUT:-.}
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 )) s] $*"; }
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $O/build.log 2>&1 && ninja -C build-gpu >> $O/build.log 2>&1 || { tail -20 $O/build.log; exit 2; }
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
} > $O/check.txt 2>&1
echo "PASS: $(grep -c 'check: PASS' $O/check.txt) of $(grep -c -- '--forward\|--backward' $O/check.txt)"; grep -E "FAIL|rror" $O/check.txt | head
stamp checked
SAN=/usr/local/cuda/bin/compute-sanitizer
for run in "racecheck lstm-bf16-dh64" "racecheck lstm-bf16-dh64 --backward" "memcheck lstm-bf16-dh64 --backward" "racecheck gru-bf16-dh128" "racecheck lstm-bf16-dh256" "memcheck gru-bf16-dh64"; do
  set -- $run
  timeout 60 $SAN --tool $1 --error-exitcode 9 $R $P/$2 --random 1 --batch 5 --seq 12 --heads 2 --device cuda --check ${3:-} > /tmp/san.txt 2>&1
  echo "$1 $2 ${3:---forward} rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt)"
done | tee $O/san.txt
stamp sanitized
bench() { timeout ${T:-60} $B $P/$1 --no-check --backward --repeat $2 "${@:3}" 2>&1 | grep -E "^\| ([0-9]|B )|rror"; }
{
  echo "## cur (5ff2e44) / ro (stores after the cell bodies) / ring, B = 16"
  for c in lstm slstm gru elman; do
    for round in 1 2; do
      for v in cur-$c ro-$c $c; do [ -d $P/$v-bf16-dh64 ] || continue; echo "# $v"; bench $v-bf16-dh64 20 --shape 16,1024,12; done
    done
  done
  for p in lstm-bf16-dh256:3 lstm-bf16-dh768:1 elman-bf16-dh768:1; do
    for v in cur-${p%:*} ${p%:*}; do [ -d $P/$v ] || continue; echo "# $v"; bench $v 10 --shape 16,1024,${p#*:}; done
  done
  echo "# lstm B 2, 64"; bench lstm-bf16-dh64 20 --shape 2,1024,12 --shape 64,1024,12
} > $O/bench.txt 2>&1
cat $O/bench.txt
stamp benched
NCU=/usr/local/cuda/bin/ncu
k=lstm_forward
timeout 100 $NCU --section SourceCounters --section WarpStateStats --section SchedulerStats -k "regex:^$k\$" -c 1 -o /tmp/$k \
    $R $P/lstm-bf16-dh64 --random 1 --batch 16 --seq 1024 --heads 12 --device cuda --repeat 1 > /tmp/$k.log 2>&1
$NCU -i /tmp/$k.ncu-rep --page source --csv --print-source sass > $O/$k-source.csv 2>&1
grep -E "Warp Cycles Per Issued|Issued Warp|Duration" <($NCU -i /tmp/$k.ncu-rep --page details 2>&1)
stamp done
