#!/usr/bin/env bash
# Compiles every example cell for every dtype and the head dims the GPU check
# uses, into gpu-packages/<cell>-<dtype>-dh<DH>/ (run on the dev machine, which
# has MLIR; the GPU machine has none, so the packages travel with the run).
#
#   bash scripts/make-gpu-packages.sh [CHIP]     # default sm_90
set -euo pipefail
cd "$(dirname "$0")/.."
CHIP=${1:-sm_90}
BUILD_DIR=${BUILD_DIR:-build}
OUT_DIR=${OUT_DIR:-gpu-packages}
CELLS=${CELLS:-"lstm gru slstm elman cifg_lstm ligru janet"}
DTYPES=${DTYPES:-"bf16 f16 f32"}
HEAD_DIMS=${HEAD_DIMS:-"64 128 256 768 48"}

rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR"
start=$(date +%s.%N)
n=0
for cell in $CELLS; do
  for dtype in $DTYPES; do
    for dh in $HEAD_DIMS; do
      "$BUILD_DIR/bin/flashrnn-compile" "examples/$cell.mlir" -q \
        --chip "$CHIP" --dtype "$dtype" --head-dim "$dh" \
        -o "$OUT_DIR/$cell-$dtype-dh$dh"
      n=$((n + 1))
    done
  done
done
# The scalar forward (R in shared memory) and the tensor-core one with
# libdevice's tanh and exact sigmoid, next to the default, for the
# comparison in docs/PERFORMANCE.md.
for cell in ${NOMMA_CELLS:-lstm}; do
  "$BUILD_DIR/bin/flashrnn-compile" "examples/$cell.mlir" -q --no-mma \
    --chip "$CHIP" --dtype bf16 --head-dim 64 -o "$OUT_DIR/$cell-bf16-dh64-nomma"
  "$BUILD_DIR/bin/flashrnn-compile" "examples/$cell.mlir" -q --precise-math \
    --chip "$CHIP" --dtype bf16 --head-dim 64 -o "$OUT_DIR/$cell-bf16-dh64-precise"
  n=$((n + 2))
done
# One LSTM head of 2048 (TARGETS.md item 2; R in global memory).
"$BUILD_DIR/bin/flashrnn-compile" examples/lstm.mlir -q --chip "$CHIP" \
  --dtype bf16 --head-dim 2048 -o "$OUT_DIR/lstm-bf16-dh2048" 2>/dev/null
n=$((n + 1))
# The other dR/db reductions (the default for bf16/f16 is the tensor-core
# GEMM), to check and time against the default packages of the same cell.
for spec in ${OTHER_REDUCTIONS:-lstm:64:sliced gru:64:sliced slstm:64:sliced lstm:768:sliced lstm:64:serial}; do
  IFS=: read -r cell dh kind <<< "$spec"
  "$BUILD_DIR/bin/flashrnn-compile" "examples/$cell.mlir" -q --reduction="$kind" \
    --chip "$CHIP" --dtype bf16 --head-dim "$dh" -o "$OUT_DIR/$cell-bf16-dh$dh-$kind"
  n=$((n + 1))
done
end=$(date +%s.%N)
printf '[make-gpu-packages] %d packages for %s in %.1f s -> %s\n' \
  "$n" "$CHIP" "$(echo "$end - $start" | bc)" "$OUT_DIR" >&2
