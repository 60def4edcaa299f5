#!/usr/bin/env bash
# Seventh session, fourth GPU call: the committed Wx ring (inputs read a
# step early only in the folded inference forward; the prologue's reads
# behind their own barrier), checked against float64, racecheck and
# memcheck, then every TARGETS.md row.
set -u
O=${OUT:-.}
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 )) s] $*"; }
cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $O/build.log 2>&1 && ninja -C build-gpu >> $O/build.log 2>&1 || { tail -20 $O/build.log; exit 2; }
stamp built
R=build-gpu/bin/flashrnn-run
B=build-gpu/bin/flashrnn-bench
P=gpu-packages
check() { # PKG B T NH SEED
  for mode in "" "--backward"; do
    out=$(timeout 60 $R $P/$1 --random $5 --batch $2 --seq $3 --heads $4 --device cuda --check $mode 2>&1)
    echo "$1 $2,$3,$4 ${mode:---forward}: $(echo "$out" | grep -E '^check' | tr '\n' ' ') worst $(echo "$out" | grep -oE 'rel_frobenius=[0-9.e+-]+' | sort -t= -k2 -g | tail -1)"
    echo "$out" | grep -E "FAIL|rror" | head -3
  done
}
{
  check lstm-bf16-dh64 16 1024 12 1
  for c in lstm gru slstm elman cifg_lstm ligru janet; do check $c-bf16-dh64 11 60 2 7; done
  check lstm-f16-dh64 13 60 3 3
  for p in lstm-bf16-dh48 gru-bf16-dh128 lstm-bf16-dh128 lstm-bf16-dh256 slstm-bf16-dh256 elman-bf16-dh256 gru-bf16-dh256; do check $p 9 50 2 5; done
  for p in lstm-bf16-dh768 elman-bf16-dh768 gru-bf16-dh768 slstm-bf16-dh768 lstm-f16-dh768; do check $p 9 40 1 4; done
  check lstm-bf16-dh64 3 1 1 8
  check gru-bf16-dh64 5 2 1 9
  check lstm-bf16-dh256 13 70 3 6
} > $O/check.txt 2>&1
echo "PASS: $(grep -c 'check: PASS' $O/check.txt) of $(grep -c -- '--forward\|--backward' $O/check.txt)"; grep -E "FAIL|rror" $O/check.txt | head
stamp checked
SAN=/usr/local/cuda/bin/compute-sanitizer
for run in "racecheck lstm-bf16-dh64" "racecheck lstm-bf16-dh64 --backward" "racecheck gru-bf16-dh128" "racecheck lstm-bf16-dh256 --backward" "racecheck slstm-bf16-dh64" "memcheck lstm-bf16-dh64 --backward"; do
  set -- $run
  timeout 60 $SAN --tool $1 --error-exitcode 9 $R $P/$2 --random 1 --batch 5 --seq 12 --heads 2 --device cuda --check ${3:-} > /tmp/san.txt 2>&1
  echo "$1 $2 ${3:---forward} rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt)"
done | tee $O/san.txt
stamp sanitized
bench() { timeout ${T:-60} $B $P/$1 --no-check --backward --repeat $2 "${@:3}" 2>&1 | grep -E "^\| ([0-9]|B )|rror"; }
{
  echo "# lstm-bf16-dh64"; bench lstm-bf16-dh64 20 --shape 2,1024,12 --shape 16,1024,12 --shape 64,1024,12
  T=120 bench lstm-bf16-dh64 3 --shape 256,1024,12
  echo "# lstm-bf16-dh256"; bench lstm-bf16-dh256 10 --shape 16,1024,3
  echo "# lstm-bf16-dh768"; bench lstm-bf16-dh768 10 --shape 8,1024,1 --shape 16,1024,1; bench lstm-bf16-dh768 3 --shape 64,1024,1
  for p in slstm-bf16-dh64 gru-bf16-dh64 elman-bf16-dh64 slstm-bf16-dh768 gru-bf16-dh768 elman-bf16-dh768 lstm-f16-dh768; do
    nh=$(case $p in *dh64) echo 12;; *) echo 1;; esac)
    echo "# $p"; bench $p 10 --shape 16,1024,$nh
  done
} > $O/rows.txt 2>&1
cat $O/rows.txt
stamp rows
