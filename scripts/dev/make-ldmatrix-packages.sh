#!/usr/bin/env bash
# The packages of scripts/dev/gpu-run-ldmatrix.sh (dev machine, with MLIR):
# this tree's compiler for the new ones, and a flashrnn-compile built at
# 9430560 (the session's start) for gpu-packages/base-*.
#
#   bash scripts/dev/make-ldmatrix-packages.sh /path/to/base/flashrnn-compile
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE=${1:?usage: make-ldmatrix-packages.sh BASE_FLASHRNN_COMPILE}
C=${BUILD_DIR:-build}/bin/flashrnn-compile
P=gpu-packages
rm -rf $P && mkdir -p $P
for c in lstm gru slstm elman cifg_lstm ligru janet; do
  $C examples/$c.mlir -q -o $P/$c-bf16-dh64
done
$C examples/lstm.mlir -q --dtype f16 -o $P/lstm-f16-dh64
$C examples/lstm.mlir -q --dtype f16 --head-dim 768 -o $P/lstm-f16-dh768
for spec in lstm:48 gru:128 lstm:128 lstm:256 lstm:768 slstm:256 slstm:768 \
            gru:768 elman:768 elman:256 gru:256; do
  $C examples/${spec%:*}.mlir -q --head-dim ${spec#*:} -o $P/${spec%:*}-bf16-dh${spec#*:}
done
for spec in lstm:64 gru:64 elman:64 slstm:64 lstm:768 lstm:256; do
  "$BASE" examples/${spec%:*}.mlir -q --head-dim ${spec#*:} -o $P/base-${spec%:*}-bf16-dh${spec#*:}
done
"$BASE" examples/lstm.mlir -q --dtype f16 -o $P/base-lstm-f16-dh64
