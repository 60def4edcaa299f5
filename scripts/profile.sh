#!/usr/bin/env bash
# ncu profile of one kernel of a package, on the GPU machine: speed of light,
# warp states, scheduler statistics and the per-instruction stall sampling
# (SourceCounters: which SASS instruction the warps wait on), for one launch.
#
#   bash scripts/profile.sh [PKG] [KERNEL-REGEX] [B,T,NH]
#   defaults: gpu-packages/lstm-bf16-dh64 lstm_forward 16,1024,12
#   result: $OUT/ncu-<kernel>.txt (or ./ncu-<kernel>.txt)
set -uo pipefail
cd "$(dirname "$0")/.."
PKG=${1:-gpu-packages/lstm-bf16-dh64}
KERNEL=${2:-lstm_forward}
SHAPE=${3:-16,1024,12}
IFS=, read -r B T NH <<< "$SHAPE"
NCU=${NCU:-/usr/local/cuda/bin/ncu}
REPORT="${OUT:-.}/ncu-$KERNEL.txt"
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > /dev/null && \
  ninja -C build-gpu > /dev/null || { echo "[profile] runtime build failed" >&2; exit 2; }
extra=()
case "$KERNEL" in *backward*|*train*) extra=(--backward) ;; esac
# The regex is anchored so that lstm_forward does not also match
# lstm_forward_train.
"$NCU" --section SpeedOfLight --section WarpStateStats --section SchedulerStats \
  --section SourceCounters --section LaunchStats --section Occupancy \
  -k "regex:^$KERNEL\$" -c 1 \
  build-gpu/bin/flashrnn-run "$PKG" --random 1 --batch "$B" --seq "$T" --heads "$NH" \
  --device cuda "${extra[@]}" --repeat 1 > "$REPORT" 2>&1
rc=$?
grep -E "Duration|Issued Warp|Eligible Warps|Warp Cycles Per Issued|Registers Per|Achieved Occupancy" "$REPORT" >&2
echo "[profile] $REPORT (ncu exit $rc)" >&2
exit $rc
