#!/usr/bin/env bash
# Seventh session, first GPU call: the forward with every element's cell body
# ahead of its stores (one basic block for both elements' dependent chains),
# checked against float64 and timed against the packages of the session's
# start (gpu-packages/cur-*, 5ff2e44) and of 9430560 (base-slstm: the sLSTM
# A/B the sixth session left open); LSTM at B = 256; ncu's per-instruction
# stall samples of the new lstm_forward and lstm_backward.
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
  for p in lstm-bf16-dh48 lstm-bf16-dh128 lstm-bf16-dh256 slstm-bf16-dh256; do check $p 9 50 2 5; done
  for p in lstm-bf16-dh768 elman-bf16-dh768; do check $p 9 40 1 4; done
} > $O/check.txt 2>&1
grep -c "check: PASS" $O/check.txt; grep -E "FAIL|rror" $O/check.txt | head
stamp checked
bench() { timeout ${T:-60} $B $P/$1 --no-check --backward --repeat $2 "${@:3}" 2>&1 | grep -E "^\| ([0-9]|B )|rror"; }
{
  echo "## A/B/A/B, B = 16, 64x12"
  for c in lstm gru slstm elman; do
    for round in 1 2; do
      for v in cur-$c $c; do echo "# $v"; bench $v-bf16-dh64 20 --shape 16,1024,12; done
    done
  done
  for round in 1 2; do for v in base-slstm slstm; do echo "# $v"; bench $v-bf16-dh64 20 --shape 16,1024,12; done; done
  echo "# lstm B 256"; T=200 bench lstm-bf16-dh64 5 --shape 256,1024,12
} > $O/bench.txt 2>&1
cat $O/bench.txt
stamp benched
NCU=/usr/local/cuda/bin/ncu
for k in lstm_forward lstm_backward; do
  extra=(); case $k in *backward*) extra=(--backward);; esac
  timeout 120 $NCU --section SourceCounters --section WarpStateStats --section SchedulerStats -k "regex:^$k\$" -c 1 -o /tmp/$k \
    $R $P/lstm-bf16-dh64 --random 1 --batch 16 --seq 1024 --heads 12 --device cuda "${extra[@]}" --repeat 1 > /tmp/$k.log 2>&1
  $NCU -i /tmp/$k.ncu-rep --page source --csv --print-source sass > $O/$k-source.csv 2>&1
  $NCU -i /tmp/$k.ncu-rep --page details > $O/$k-details.txt 2>&1
  grep -E "Warp Cycles Per Issued|Issued Warp|Duration" $O/$k-details.txt
done
stamp done
