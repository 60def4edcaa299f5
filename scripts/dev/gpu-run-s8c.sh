#!/usr/bin/env bash
# Eighth session, third GPU call: the committed compiler (split backwards
# prefetch their saved values), checked against float64 (every case of the
# seventh session's final call plus the split kernels at T = 1024),
# racecheck and memcheck on the split backwards, then every TARGETS.md row.
# Packages: DTYPES="bf16 f16" NOMMA_CELLS="" OTHER_REDUCTIONS="" bash scripts/make-gpu-packages.sh
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ check_all; check lstm-bf16-dh64 3 1 1 8; check gru-bf16-dh64 5 2 1 9; check lstm-bf16-dh256 16 1024 3 6
  check gru-bf16-dh768 16 1024 1 3; check slstm-bf16-dh256 16 1024 3 2; check cifg_lstm-bf16-dh256 9 50 2 5
  check ligru-bf16-dh768 9 40 1 4; check janet-bf16-dh128 9 50 2 5; } > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{
  sanitize racecheck lstm-bf16-dh64 --backward; sanitize racecheck lstm-bf16-dh256 --backward
  sanitize racecheck elman-bf16-dh768 --backward; sanitize racecheck slstm-bf16-dh256 --backward
  sanitize memcheck lstm-bf16-dh768 --backward; sanitize memcheck gru-bf16-dh128 --backward
} | tee $O/san.txt
stamp sanitized
bench_rows > $O/rows.txt 2>&1
{ echo "# lstm-bf16-dh128"; bench lstm-bf16-dh128 10 --shape 16,1024,6
  for c in gru slstm elman; do echo "# $c-bf16-dh256"; bench $c-bf16-dh256 10 --shape 16,1024,3; done; } >> $O/rows.txt 2>&1
cat $O/rows.txt
stamp rows
