#!/usr/bin/env bash
# The benchmark, on the GPU machine: flashrnn-bench (checked against the CPU
# reference first, then timed: median of --repeat runs with CUDA events) for
# the rows of TARGETS.md, and torch.nn.LSTM (cuDNN) in the same run as the
# anchor. Packages come from scripts/make-gpu-packages.sh (gpu-packages/).
#
#   bash scripts/bench.sh [--quick]       # results: $OUT/bench.md (or ./bench.md)
#
# Every flashrnn-bench row is checked against the float64 CPU reference
# (forward and gradients) before it is timed, except B = 256 (marked "not
# checked"); the L2 cache is flushed before every timed pass.
set -uo pipefail
cd "$(dirname "$0")/.."
QUICK=0; [ "${1:-}" = "--quick" ] && QUICK=1
REPEAT=${REPEAT:-10}
RESULT_DIR=${OUT:-.}
REPORT="$RESULT_DIR/bench.md"
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > /dev/null && \
  ninja -C build-gpu > /dev/null || { echo "[bench] runtime build failed" >&2; exit 2; }
BENCH=build-gpu/bin/flashrnn-bench
{
  echo "# flashrnn-bench ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nvidia-smi --query-gpu=name --format=csv,noheader))"
  echo
  run() { # run CELL DTYPE DH [--no-check] SHAPE...
    local cell=$1 dtype=$2 dh=$3; shift 3
    local args=() tag=""
    for s in "$@"; do
      if [ "$s" = --no-check ]; then args+=(--no-check); tag="-nocheck"; continue; fi
      args+=(--shape "$s")
    done
    echo "## $cell $dtype DH=$dh"
    timeout 240 "$BENCH" "gpu-packages/$cell-$dtype-dh$dh" "${args[@]}" --backward \
      --repeat "$REPEAT" --json "$RESULT_DIR/bench-$cell-$dtype-dh$dh$tag.json" 2>&1 | tail -n +2
    echo
  }
  # LSTM, the rows of TARGETS.md (bf16), then fp16 against cuDNN fp16.
  run lstm bf16 64 16,1024,12 64,1024,12 2,1024,12
  run lstm bf16 768 16,1024,1 8,1024,1
  if [ "$QUICK" = 0 ]; then
    run lstm bf16 256 16,1024,3
    run lstm bf16 768 64,1024,1
    # B = 256: the float64 reference of this size takes minutes; the kernels
    # are the ones checked at B = 16 and 64 above.
    run lstm bf16 64 --no-check 256,1024,12
    run lstm f16 64 16,1024,12
    run lstm f16 768 16,1024,1
    for c in slstm gru elman; do
      run $c bf16 64 16,1024,12
      run $c bf16 768 16,1024,1
    done
  fi
  echo "## anchor: torch.nn.LSTM (cuDNN), hidden 768, T=1024, same run"
  python3 scripts/cudnn_anchor.py
} | tee "$REPORT"
