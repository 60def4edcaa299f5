#!/usr/bin/env bash
# One GPU call: ncu of the tensor-core dR/db reduction (LSTM 768x1 and
# 64x12, B 16, T 1024): speed of light, memory, occupancy, warp states, and
# the per-instruction stall samples of its SASS, to see what bounds it.
set -u
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $OUT/build.log 2>&1 && ninja -C build-gpu >> $OUT/build.log 2>&1 || { tail -20 $OUT/build.log; exit 2; }
R=build-gpu/bin/flashrnn-run
NCU=/usr/local/cuda/bin/ncu
for spec in lstm-bf16-dh768:16,1,768 lstm-bf16-dh64:16,12,64; do
  pk=${spec%%:*}; rest=${spec#*:}; b=${rest%%,*}; rest=${rest#*,}; nh=${rest%%,*}; dh=${rest#*,}
  timeout 240 $NCU --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy --section LaunchStats \
    --section WarpStateStats --section SchedulerStats --section SourceCounters -k "regex:_backward_reduce\$" -c 1 -o /tmp/red$dh \
    $R gpu-packages/$pk --random 1 --batch $b --seq 1024 --heads $nh --device cuda --backward --repeat 1 > /tmp/red$dh.log 2>&1
  echo "rc=$? $(tail -2 /tmp/red$dh.log)"
  $NCU -i /tmp/red$dh.ncu-rep --page details > $OUT/ncu-reduce-dh$dh.txt 2>&1
  $NCU -i /tmp/red$dh.ncu-rep --page source --csv --print-source sass > /tmp/src$dh.csv 2>&1
  python3 - /tmp/src$dh.csv > $OUT/ncu-reduce-dh$dh-stalls.txt <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
hdr = None
for i, r in enumerate(rows):
    if r and r[0] in ('#', 'Address') or ('Source' in r and 'Warp Stall Sampling (All Samples)' in r):
        hdr = i; break
if hdr is None:
    print("no header"); print(rows[:3]); sys.exit()
h = rows[hdr]
si = h.index('Source'); wi = h.index('Warp Stall Sampling (All Samples)')
data = [(int(float(r[wi] or 0)), r[si]) for r in rows[hdr+1:] if len(r) > wi]
tot = sum(d[0] for d in data)
print("samples", tot, "instructions", len(data))
for n, s in sorted(data, reverse=True)[:40]:
    print(f"{n:7d} {100*n/max(tot,1):5.1f}%  {s}")
PY
  grep -E "Duration|Compute \(SM\) Throughput|Memory Throughput|L2 Hit|DRAM Throughput|Achieved Occupancy|Registers Per|Warp Cycles Per Issued|Issue Slots Busy|Theoretical Occupancy|Block Limit" $OUT/ncu-reduce-dh$dh.txt
  head -30 $OUT/ncu-reduce-dh$dh-stalls.txt
done
