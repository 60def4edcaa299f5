# What the GPU-machine scripts of scripts/dev/ share (source it; set -u is
# fine): $O (the call's $OUT), stamp, the runtime build, and the check,
# bench, sanitize and ncu steps with the flags every call uses.
O=${OUT:-.}
R=build-gpu/bin/flashrnn-run
B=build-gpu/bin/flashrnn-bench
P=${PACKAGES:-gpu-packages}
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 )) s] $*"; }

# The runtime (no MLIR) into build-gpu; exits 2 with the log's tail if it
# does not build.
build_runtime() {
  cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release > $O/build.log 2>&1 &&
    ninja -C build-gpu >> $O/build.log 2>&1 || { tail -20 $O/build.log; exit 2; }
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
  stamp built
}

# check PKG B T NH SEED: inference forward and training pass against the
# float64 reference, one line each (and the failing lines).
check() {
  local mode out
  for mode in "" "--backward"; do
    out=$(timeout 60 $R $P/$1 --random $5 --batch $2 --seq $3 --heads $4 --device cuda --check $mode 2>&1)
    echo "$1 $2,$3,$4 ${mode:---forward}: $(echo "$out" | grep -E '^check' | tr '\n' ' ') worst $(echo "$out" | grep -oE 'rel_frobenius=[0-9.e+-]+' | sort -t= -k2 -g | tail -1)"
    echo "$out" | grep -E "FAIL|rror" | head -3
  done
}

# Summary of a check file: PASS count of all lines, then the failures.
check_summary() {
  echo "PASS: $(grep -c 'check: PASS' $1) of $(grep -c -- '--forward\|--backward' $1)"
  grep -E "FAIL|rror" $1 | head
}

# bench PKG REPEAT ARGS...: flashrnn-bench's table rows, unchecked (the
# call checks first); T (seconds, default 60) bounds it.
bench() {
  timeout ${T:-60} $B $P/$1 --no-check --backward --repeat $2 "${@:3}" 2>&1 | grep -E "^\| ([0-9]|B )|rror"
}

# tables FILE: a file of bench output without the tables' header lines.
tables() { grep -v "^| B " "$1"; }

# sanitize TOOL PKG [--backward]: compute-sanitizer on a small checked run.
sanitize() {
  timeout 60 /usr/local/cuda/bin/compute-sanitizer --tool $1 --error-exitcode 9 $R $P/$2 --random 1 --batch 5 --seq 12 --heads 2 --device cuda --check ${3:-} > /tmp/san.txt 2>&1
  echo "$1 $2 ${3:---forward} rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' /tmp/san.txt)"
}

# ncu_source KERNEL PKG [--backward]: ncu's source page (SASS, stall samples
# per instruction) of KERNEL at B = 16, T = 1024, NH = 12 into
# $O/KERNEL-source.csv (summarise with scripts/dev/ncu-stall-summary.py).
ncu_source() {
  local NCU=/usr/local/cuda/bin/ncu
  timeout 120 $NCU --section SourceCounters --section WarpStateStats --section SchedulerStats -k "regex:^$1\$" -c 1 -o /tmp/$1 \
    $R $P/$2 --random 1 --batch 16 --seq 1024 --heads 12 --device cuda ${3:-} --repeat 1 > /tmp/$1.log 2>&1
  $NCU -i /tmp/$1.ncu-rep --page source --csv --print-source sass > $O/$1-source.csv 2>&1
  $NCU -i /tmp/$1.ncu-rep --page details > $O/$1-details.txt 2>&1
  grep -E "Warp Cycles Per Issued|Issued Warp|Duration" $O/$1-details.txt
}

# The checks every call of the seventh session ran: the example cells, the
# cluster, K-slice and grid-barrier kernels.
check_all() {
  local c p
  check lstm-bf16-dh64 16 1024 12 1
  for c in lstm gru slstm elman cifg_lstm ligru janet; do check $c-bf16-dh64 11 60 2 7; done
  check lstm-f16-dh64 13 60 3 3
  for p in lstm-bf16-dh48 gru-bf16-dh128 lstm-bf16-dh128 lstm-bf16-dh256 slstm-bf16-dh256 elman-bf16-dh256 gru-bf16-dh256; do check $p 9 50 2 5; done
  for p in lstm-bf16-dh768 elman-bf16-dh768 gru-bf16-dh768 slstm-bf16-dh768 lstm-f16-dh768; do check $p 9 40 1 4; done
}

# Every TARGETS.md row.
bench_rows() {
  local p nh
  echo "# lstm-bf16-dh64"; bench lstm-bf16-dh64 20 --shape 2,1024,12 --shape 16,1024,12 --shape 64,1024,12
  T=150 bench lstm-bf16-dh64 3 --shape 256,1024,12
  echo "# lstm-bf16-dh256"; bench lstm-bf16-dh256 10 --shape 16,1024,3
  echo "# lstm-bf16-dh768"; bench lstm-bf16-dh768 10 --shape 8,1024,1 --shape 16,1024,1; bench lstm-bf16-dh768 3 --shape 64,1024,1
  for p in slstm-bf16-dh64 gru-bf16-dh64 elman-bf16-dh64 slstm-bf16-dh768 gru-bf16-dh768 elman-bf16-dh768 lstm-f16-dh768; do
    nh=$(case $p in *dh64) echo 12;; *) echo 1;; esac)
    echo "# $p"; bench $p 10 --shape 16,1024,$nh
  done
}
