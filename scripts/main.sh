#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, compile the
# default example cell (examples/lstm.mlir: LSTM, bf16, 12 heads of 64) into a
# package, and run its forward at the example's size (B=16, T=1024, NH=12):
# on the GPU, checked against the float64 CPU reference, when there is one;
# else on the CPU reference.
#
#   bash scripts/main.sh [CELL_FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
CELL=${1:-examples/lstm.mlir}
BUILD_DIR=${BUILD_DIR:-build}
B=${B:-16} T=${T:-1024} NH=${NH:-12}

bash scripts/setup.sh
name=$(basename "$CELL" .mlir)
pkg="$BUILD_DIR/packages/$name"
"$BUILD_DIR/bin/flashrnn-compile" "$CELL" -o "$pkg"

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "[main] GPU found: forward on the GPU, checked against the CPU reference" >&2
  device=(--device cuda --check --repeat 20)
else
  echo "[main] no GPU found: forward on the float64 CPU reference" >&2
  device=(--device cpu)
fi
"$BUILD_DIR/bin/flashrnn-run" "$pkg" --random 1 --batch "$B" --seq "$T" \
  --heads "$NH" "${device[@]}"
