#!/usr/bin/env bash
# The first GPU call for the next session (written in the sixth, whose
# device time ran out): what that session could not measure.
#  1. sLSTM 64x12's inference forward, base (9430560) against this tree:
#     0.796 ms on the H200 against 0.720 on the H100, with no A/B
#     (docs/PERFORMANCE.md, "Sixth session", note d).
#  2. LSTM 64x12 at B = 256 (the sixth session's call cut it off at 60 s).
#  3. ncu's per-instruction stall samples of the current lstm_forward and
#     lstm_backward (source page): what fills the ~1200-cycle step whose
#     dependent chain counts ~250 ("What limits the forward").
# Packages: scripts/dev/make-ldmatrix-packages.sh (adds base-slstm below).
set -u
O=${OUT:-.}
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $O/build.log 2>&1 && ninja -C build-gpu >> $O/build.log 2>&1 || { tail -20 $O/build.log; exit 2; }
B=build-gpu/bin/flashrnn-bench
R=build-gpu/bin/flashrnn-run
P=gpu-packages
{
  for p in base-slstm-bf16-dh64 slstm-bf16-dh64 base-slstm-bf16-dh64 slstm-bf16-dh64; do
    echo "# $p"; timeout 60 $B $P/$p --shape 16,1024,12 --backward --no-check --repeat 20 2>&1 | grep -E "^\| ([0-9]|B )|rror"
  done
  echo "# lstm-bf16-dh64 B 256"
  timeout 200 $B $P/lstm-bf16-dh64 --shape 256,1024,12 --backward --no-check --repeat 5 2>&1 | grep -E "^\| ([0-9]|B )|rror"
} > $O/bench.txt 2>&1
cat $O/bench.txt
NCU=/usr/local/cuda/bin/ncu
for k in lstm_forward lstm_backward; do
  extra=(); case $k in *backward*) extra=(--backward);; esac
  timeout 150 $NCU --clock-control none --section SourceCounters --section WarpStateStats --section SchedulerStats -k "regex:^$k\$" -c 1 -o /tmp/$k \
    $R $P/lstm-bf16-dh64 --random 1 --batch 16 --seq 1024 --heads 12 --device cuda "${extra[@]}" --repeat 1 > /tmp/$k.log 2>&1
  $NCU -i /tmp/$k.ncu-rep --page source --csv --print-source sass > $O/$k-source.csv 2>&1
  $NCU -i /tmp/$k.ncu-rep --page details > $O/$k-details.txt 2>&1
  grep -E "Warp Cycles Per Issued|Issued Warp|Duration" $O/$k-details.txt
done
