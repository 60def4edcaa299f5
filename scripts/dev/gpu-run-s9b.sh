#!/usr/bin/env bash
# Ninth session, second call: the committed compiler's default packages
# (one part of h for smooth cells, one of dg everywhere) checked against
# float64 (check_all), then the 768 forwards with more K slices (fw4-*,
# fw8-*) against the default, then every TARGETS.md row.
# Packages: scripts/dev/make-s9b-packages.sh.
set -u
. "$(dirname "$0")/gpu-lib.sh"
build_runtime
{
  check_all
  for c in lstm gru elman; do for n in 4 8; do check fw$n-$c-bf16-dh768 9 40 1 4; done; done
} > $O/check.txt 2>&1
check_summary $O/check.txt
stamp checked
{
  for round in 1 2; do
    for c in lstm gru elman; do
      for v in "" fw4- fw8-; do echo "# ${v}$c-768"; bench ${v}$c-bf16-dh768 10 --shape 16,1024,1; done
    done
  done
} > $O/slices.txt 2>&1
tables $O/slices.txt
stamp slices
bench_rows > $O/rows.txt 2>&1
tables $O/rows.txt
stamp done
