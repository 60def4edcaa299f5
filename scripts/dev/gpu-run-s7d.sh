#!/usr/bin/env bash
# Seventh session, fourth GPU call: the committed Wx ring (inputs read a
# step early only in the folded inference forward; the prologue's reads
# behind their own barrier), checked against float64, racecheck and
# memcheck, then every TARGETS.md row.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{ check_all; check lstm-bf16-dh64 3 1 1 8; check gru-bf16-dh64 5 2 1 9; check lstm-bf16-dh256 13 70 3 6; } > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{
  sanitize racecheck lstm-bf16-dh64; sanitize racecheck lstm-bf16-dh64 --backward
  sanitize racecheck gru-bf16-dh128; sanitize racecheck lstm-bf16-dh256 --backward
  sanitize racecheck slstm-bf16-dh64; sanitize memcheck lstm-bf16-dh64 --backward
} | tee $O/san.txt
stamp sanitized
bench_rows > $O/rows.txt 2>&1
cat $O/rows.txt
stamp rows
