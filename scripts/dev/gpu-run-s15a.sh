#!/usr/bin/env bash
# Fifteenth session, first call: the batch variants (a grid-barrier forward
# and, from N (head, batch tile) pairs, the same head as a 16-CTA cluster).
# Float64 checks of every package on the default path (B = 9, one pair) and
# on the variant (B = 24, B = 17, and B = 8 x NH = 3), with the runtime's
# line naming the kernel it chose; then B = 16..64 at T = 1024 with the
# variants on and with FLASHRNN_BATCH_VARIANTS=off (the grid-barrier kernel
# at every B), twice, so each row's comparison is in one call.
# Packages: bash scripts/dev/make-s15a-packages.sh (gpu-packages/).
set -u
. "$(dirname "$0")/gpu-lib.sh"
PKGS="lstm-bf16-dh768 gru-bf16-dh768 cifg_lstm-bf16-dh768 gru-bf16-dh640 elman-bf16-dh1024 janet-bf16-dh1024 slstm-inf-bf16-dh768"
build_runtime
# The inference-only package has no training pass: its checks and benches
# are forward only.
check_pkg() {
  case $1 in *-inf-*) local out
    out=$(timeout 60 $R $P/$1 --random $5 --batch $2 --seq $3 --heads $4 --device cuda --check 2>&1)
    echo "$1 $2,$3,$4 --forward: $(echo "$out" | grep -E '^check' | tr '\n' ' ')"
    echo "$out" | grep -E "FAIL|rror" | head -3;;
  *) check "$@";; esac
}
bench_pkg() {
  case $1 in *-inf-*) timeout ${T:-60} $B $P/$1 --no-check --repeat $2 "${@:3}" 2>&1 | grep -E "^\| ([0-9]|B )|rror";;
  *) bench "$@";; esac
}
# The kernel flashrnn-run chose (its "batch variant" line, if any).
chosen() {
  timeout 60 $R $P/$1 --random 2 --batch $2 --seq 8 --heads $3 --device cuda 2>&1 | grep -E "batch variant|rror" | head -2
}
{ for p in $PKGS; do
    check_pkg $p 9 40 1 4
    check_pkg $p 24 40 1 5
    check_pkg $p 17 40 1 6
    check_pkg $p 8 40 3 7
    echo "$p B=24: $(chosen $p 24 1)"
    echo "$p B=9: $(chosen $p 9 1) (none expected)"
  done; } > $O/check.txt 2>&1
check_summary $O/check.txt
grep -E "B=(24|9):" $O/check.txt
stamp checked
SHAPES="--shape 16,1024,1 --shape 24,1024,1 --shape 32,1024,1 --shape 48,1024,1 --shape 64,1024,1"
for round in 1 2; do
  for p in $PKGS; do
    echo "# $p round $round variants"; T=120 bench_pkg $p 7 $SHAPES
    echo "# $p round $round off"; FLASHRNN_BATCH_VARIANTS=off T=120 bench_pkg $p 7 $SHAPES
  done > $O/bench$round.txt 2>&1
  tables $O/bench$round.txt
  stamp round $round
done
