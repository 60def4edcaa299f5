#!/usr/bin/env bash
# Twelfth session, first call: the K-sliced tensor-core backward whose
# threads carry only their own elements' state gradients, where carrying
# all four fits no split (sLSTM 768 on sm_90; LSTM 1024). Checks against
# float64 (odd T, T = 1, B not a multiple of 8, f16), compute-sanitizer,
# then base (e605198: the scalar backward, its reduction after it) against
# this. Packages: scripts/dev/make-s12a-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check slstm-bf16-dh768 9 40 1 4
  check slstm-bf16-dh768 16 1024 1 1
  check slstm-bf16-dh768 5 33 2 3
  check slstm-bf16-dh768 3 1 1 2
  check slstm-f16-dh768 9 40 1 4
  check lstm-bf16-dh1024 9 40 1 4
  check lstm-bf16-dh1024 16 256 1 6
  check lstm-bf16-dh64 16 1024 12 1
  check lstm-bf16-dh768 9 40 1 4
  check lstm-bf16-dh768-sm80 9 40 1 4
  check slstm-bf16-dh64 11 60 2 7
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{ sanitize memcheck slstm-bf16-dh768 --backward; sanitize synccheck slstm-bf16-dh768 --backward; sanitize racecheck slstm-bf16-dh768 --backward; } | tee $O/san.txt
stamp sanitized
{
  for round in 1 2; do
    echo "# slstm768 base"; bench b-slstm-bf16-dh768 3 --shape 16,1024,1
    echo "# slstm768 new"; bench slstm-bf16-dh768 10 --shape 16,1024,1
    echo "# slstm768 new after"; bench slstm-bf16-dh768 10 --shape 16,1024,1 --no-reduce-overlap
  done
  echo "# slstm768 new B8/B64"; bench slstm-bf16-dh768 5 --shape 8,1024,1 --shape 64,1024,1
  echo "# slstm768 f16"; bench slstm-f16-dh768 10 --shape 16,1024,1
  echo "# lstm1024 base"; bench b-lstm-bf16-dh1024 3 --shape 16,1024,1
  echo "# lstm1024 new"; bench lstm-bf16-dh1024 5 --shape 16,1024,1
  echo "# lstm768 control"; bench lstm-bf16-dh768 5 --shape 16,1024,1
  echo "# lstm64 control"; bench lstm-bf16-dh64 20 --shape 16,1024,12
} > $O/ab.txt 2>&1
tables $O/ab.txt | sed "s/ - . - . not checked .//"
stamp done
