#!/usr/bin/env bash
# The GPU check: the one script to run on the GPU machine (CUDA toolkit,
# cmake, ninja, g++; no MLIR). It builds the runtime standalone, runs the
# forward kernel of every package under gpu-packages/ (made on the dev machine
# by scripts/make-gpu-packages.sh, named <cell>-<dtype>-dh<DH>) on the GPU,
# checks each against the float64 CPU reference and times it, then does the
# same for the training pass (forward_train + backward + backward_reduce:
# states, last and the gradients dwx, dr, db, ds0), then runs
# compute-sanitizer (memcheck, racecheck) on small cases, forward and
# backward.
#
#   bash scripts/gpu-check.sh [--cells lstm,gru] [--dtypes bf16,f16]
#                             [--packages DIR] [--repeat N] [--no-sanitizer]
#                             [--forward-only] [--backward-seq T]
#                             [--shapes "B,T,NH B,T,NH ..."]
#
# --forward-only skips the backward pass; --backward-seq T caps the sequence
# length of the backward cases (default: the same T as the forward; the
# float64 CPU reference backward dominates their time, ~5 s per DH=768 case
# at T=1024 on 16 cores; the table says when T was capped).
# Shapes (B,T,NH) per head dim: DH=64: (16,1024,12) (64,256,12);
# DH=256: (16,1024,3); DH=768: (16,1024,1); DH=2048: (4,128,1); DH=48: (5,37,3); any other DH:
# (5,37,3); --shapes replaces them for every package. Each case is
#   flashrnn-run PKG --random SEED --batch B --seq T --heads NH \
#                --device cuda --check --repeat 20
# and, unless --forward-only, with the same B, NH and T (capped by
# --backward-seq)
#   flashrnn-run PKG --random SEED --batch B --seq T --heads NH \
#                --device cuda --backward --check --repeat 10
# Results: one table row per case in $OUT/gpu-check.md ($OUT unset:
# ./gpu-check.md), every run's full output in gpu-check-logs/ next to it;
# the table is printed last. Exit status: 0 when every case passed and the
# sanitizers found nothing, 1 otherwise (2: bad usage or build failure).
set -uo pipefail
cd "$(dirname "$0")/.."

ARGS="$*"
CELLS="" DTYPES="" PKG_DIR=gpu-packages REPEAT=20 SANITIZER=1 SEED=1
BACKWARD=1 BACKWARD_SEQ=0 BACKWARD_REPEAT=10 SHAPES=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cells) CELLS=${2//,/ }; shift 2 ;;
    --dtypes) DTYPES=${2//,/ }; shift 2 ;;
    --packages) PKG_DIR=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --no-sanitizer) SANITIZER=0; shift ;;
    --forward-only) BACKWARD=0; shift ;;
    --backward-seq) BACKWARD_SEQ=$2; shift 2 ;;
    --shapes) SHAPES=$2; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

RESULT_DIR=${OUT:-.}
mkdir -p "${LOGS_DIR:-$RESULT_DIR/gpu-check-logs}"
REPORT="$RESULT_DIR/gpu-check.md"
# Rows are also appended as each case finishes, so a run cut short by a time
# limit still leaves its results; the logs are packed into one archive at the
# end (the device tool brings back only a few files).
PARTIAL="$RESULT_DIR/gpu-check-partial.md"
: > "$PARTIAL"
LOGS="${LOGS_DIR:-$RESULT_DIR/gpu-check-logs}"
SANITIZER_BIN=${SANITIZER_BIN:-/usr/local/cuda/bin/compute-sanitizer}
# A hung kernel (a grid barrier that never completes) must not hang the run.
CASE_TIMEOUT=${CASE_TIMEOUT:-180}
SANITIZER_TIMEOUT=${SANITIZER_TIMEOUT:-240}
start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - start ))s"; }

# --- Build the runtime (no MLIR needed) --------------------------------------
echo "[gpu-check] building the runtime (build-gpu/)" >&2
if ! { cmake -G Ninja -S runtime -B build-gpu -DCMAKE_BUILD_TYPE=Release \
         > "$LOGS/build.log" 2>&1 && ninja -C build-gpu >> "$LOGS/build.log" 2>&1; }; then
  tail -30 "$LOGS/build.log" >&2
  echo "[gpu-check] build failed (full log: $LOGS/build.log)" >&2
  exit 2
fi
RUN=build-gpu/bin/flashrnn-run
UNIT=unit-tests-not-built
if [ -x build-gpu/bin/flashrnn-runtime-tests ]; then
  if build-gpu/bin/flashrnn-runtime-tests --gtest_brief=1 > "$LOGS/unit-tests.log" 2>&1; then
    UNIT=pass
  else
    UNIT=FAIL
  fi
fi

if [ ! -d "$PKG_DIR" ]; then
  echo "[gpu-check] no $PKG_DIR/ (make it on the dev machine with scripts/make-gpu-packages.sh)" >&2
  exit 2
fi
nvidia-smi -L 2>/dev/null | head -4 >&2 || true

shapes_for() {
  if [ -n "$SHAPES" ]; then echo "$SHAPES"; return; fi
  case "$1" in
    64) echo "16,1024,12 64,256,12" ;;
    256) echo "16,1024,3" ;;
    768) echo "16,1024,1" ;;
    2048) echo "4,128,1" ;;
    48) echo "5,37,3" ;;
    *) echo "5,37,3" ;;
  esac
}

# "<cell>-<dtype>-dh<DH>": the cell name may itself contain '-' or '_'.
parse_name() {
  local base=$1
  PDH=${base##*-dh}
  local rest=${base%-dh*}
  PDTYPE=${rest##*-}
  PCELL=${rest%-*}
}

wanted() { # wanted WORD LIST: LIST empty or WORD in it
  [ -z "$2" ] && return 0
  local w
  for w in $2; do [ "$w" = "$1" ] && return 0; done
  return 1
}

ROWS=()
BROWS=()
failures=0
cases=0
bcases=0
for pkg in "$PKG_DIR"/*/; do
  pkg=${pkg%/}
  [ -f "$pkg/manifest.json" ] || continue
  parse_name "$(basename "$pkg")"
  wanted "$PCELL" "$CELLS" || continue
  wanted "$PDTYPE" "$DTYPES" || continue
  for shape in $(shapes_for "${PDH%%-*}"); do
    IFS=, read -r B T NH <<< "$shape"
    cases=$((cases + 1))
    log="$LOGS/$PCELL-$PDTYPE-dh$PDH-B$B-T$T-NH$NH.log"
    cmd=("$RUN" "$pkg" --random "$SEED" --batch "$B" --seq "$T" --heads "$NH"
         --device cuda --check --repeat "$REPEAT")
    echo "[gpu-check $(elapsed)] ${cmd[*]}" >&2
    { echo "\$ ${cmd[*]}"; timeout "$CASE_TIMEOUT" "${cmd[@]}"; } > "$log" 2>&1
    rc=$?
    # Frobenius and max relative errors of states (1st line) and last (2nd).
    sf=$(grep -o 'rel_frobenius=[^ ]*' "$log" | sed -n 1p | cut -d= -f2)
    lf=$(grep -o 'rel_frobenius=[^ ]*' "$log" | sed -n 2p | cut -d= -f2)
    sm=$(grep -o 'max_rel_err=[^ ]*' "$log" | sed -n 1p | cut -d= -f2)
    lm=$(grep -o 'max_rel_err=[^ ]*' "$log" | sed -n 2p | cut -d= -f2)
    ms=$(sed -n 's/^gpu time: median \([^ ]*\) ms.*/\1/p' "$log")
    us=$(sed -n 's/^gpu time: .*, \([^ ]*\) us\/step$/\1/p' "$log")
    if [ $rc -eq 0 ] && grep -q '^check: PASS' "$log"; then
      verdict=pass note=""
    else
      failures=$((failures + 1))
      if [ $rc -eq 124 ]; then
        verdict=TIMEOUT note="no result after ${CASE_TIMEOUT}s (hung kernel?)"
      else
        verdict=FAIL
        note=$(grep -m1 'flashrnn-run: error:' "$log" | sed 's/^flashrnn-run: error: //' | cut -c1-160)
      fi
    fi
    ROWS+=("| $PCELL | $PDTYPE | $B | $T | $NH | $PDH | ${sf:--} / ${sm:--} | ${lf:--} / ${lm:--} | $verdict | ${ms:--} | ${us:--} | ${note//|//} |")
    echo "forward ${ROWS[-1]}" >> "$PARTIAL"

    # The training pass on the same shape (T capped by --backward-seq).
    [ "$BACKWARD" = 1 ] || continue
    BT=$T
    if [ "$BACKWARD_SEQ" -gt 0 ] && [ "$T" -gt "$BACKWARD_SEQ" ]; then
      BT=$BACKWARD_SEQ
    fi
    bcases=$((bcases + 1))
    log="$LOGS/$PCELL-$PDTYPE-dh$PDH-B$B-T$BT-NH$NH-backward.log"
    cmd=("$RUN" "$pkg" --random "$SEED" --batch "$B" --seq "$BT" --heads "$NH"
         --device cuda --backward --check --repeat "$BACKWARD_REPEAT")
    echo "[gpu-check $(elapsed)] ${cmd[*]}" >&2
    { echo "\$ ${cmd[*]}"; timeout "$CASE_TIMEOUT" "${cmd[@]}"; } > "$log" 2>&1
    rc=$?
    # Per output "  NAME  max_abs_err=... max_rel_err=... rel_frobenius=..."
    frob() { sed -n "s/^  $1 .*rel_frobenius=\([^ ]*\).*/\1/p" "$log" | head -1; }
    maxrel() { sed -n "s/^  $1 .*max_rel_err=\([^ ]*\).*/\1/p" "$log" | head -1; }
    worst="" worstName="" worstMax=""
    for g in dwx dr db ds0; do
      v=$(frob "$g")
      [ -n "$v" ] || continue
      if [ -z "$worst" ] || awk -v a="$v" -v b="$worst" 'BEGIN { exit !(a > b || a != a) }'; then
        worst=$v worstName=$g worstMax=$(maxrel "$g")
      fi
    done
    fwf=$(frob states)
    ms=$(sed -n 's/^gpu time: median \([^ ]*\) ms.*/\1/p' "$log")
    us=$(sed -n 's/^gpu time: .*, \([^ ]*\) us\/step.*/\1/p' "$log")
    if [ $rc -eq 0 ] && grep -q '^check: PASS' "$log"; then
      verdict=pass note=""
    else
      failures=$((failures + 1))
      if [ $rc -eq 124 ]; then
        verdict=TIMEOUT note="no result after ${CASE_TIMEOUT}s (hung kernel?)"
      else
        verdict=FAIL
        note=$(grep -m1 'flashrnn-run: error:' "$log" | sed 's/^flashrnn-run: error: //' | cut -c1-160)
      fi
    fi
    [ "$BT" != "$T" ] && note="T capped at $BT (--backward-seq); $note"
    BROWS+=("| $PCELL | $PDTYPE | $B | $BT | $NH | $PDH | ${fwf:--} | ${worst:--} / ${worstMax:--} (${worstName:--}) | $verdict | ${ms:--} | ${us:--} | ${note//|//} |")
    echo "backward ${BROWS[-1]}" >> "$PARTIAL"
  done
done

# --- compute-sanitizer on small cases ----------------------------------------
SROWS=()
if [ "$SANITIZER" = 1 ]; then
  if [ ! -x "$SANITIZER_BIN" ]; then
    SROWS+=("| - | - | - | - | not run | $SANITIZER_BIN not found |")
    failures=$((failures + 1))
  else
    targets=()
    for pkg in "$PKG_DIR"/*-bf16-dh48; do
      [ -f "$pkg/manifest.json" ] || continue
      parse_name "$(basename "$pkg")"
      wanted "$PCELL" "$CELLS" || continue
      targets+=("$pkg:5,37,3")
    done
    # One large head, a few steps: lstm if there is one, else the first.
    big=""
    for pkg in "$PKG_DIR"/lstm-bf16-dh768 "$PKG_DIR"/*-bf16-dh768; do
      [ -f "$pkg/manifest.json" ] || continue
      parse_name "$(basename "$pkg")"
      wanted "$PCELL" "$CELLS" || continue
      big=$pkg; break
    done
    [ -n "$big" ] && targets+=("$big:16,8,1")
    for target in "${targets[@]}"; do
      pkg=${target%%:*}
      IFS=, read -r B T NH <<< "${target##*:}"
      passes="forward"
      [ "$BACKWARD" = 1 ] && passes="forward backward"
      for pass in $passes; do
      for tool in memcheck racecheck; do
        name="$(basename "$pkg")-B$B-T$T-NH$NH-$pass-$tool"
        log="$LOGS/sanitizer-$name.log"
        extra=()
        [ "$pass" = backward ] && extra=(--backward)
        cmd=("$SANITIZER_BIN" --tool "$tool" --error-exitcode 86
             "$RUN" "$pkg" --random "$SEED" --batch "$B" --seq "$T"
             --heads "$NH" --device cuda "${extra[@]}" --check --repeat 1)
        echo "[gpu-check $(elapsed)] ${cmd[*]}" >&2
        { echo "\$ ${cmd[*]}"; timeout "$SANITIZER_TIMEOUT" "${cmd[@]}"; } > "$log" 2>&1
        rc=$?
        summary=$(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$log" | tail -1 | sed 's/^========= //')
        case $rc in
          0) verdict=clean ;;
          86) verdict=ERRORS; failures=$((failures + 1)) ;;
          124) verdict=TIMEOUT; failures=$((failures + 1)) ;;
          *) verdict="run failed (exit $rc)"; failures=$((failures + 1))
             summary=${summary:-$(grep -m1 'flashrnn-run: error:' "$log" | cut -c1-160)} ;;
        esac
        SROWS+=("| $(basename "$pkg") | $B,$T,$NH | $pass | $tool | $verdict | ${summary//|//} |")
      done
      done
    done
  fi
fi

# --- Report -------------------------------------------------------------------
{
  echo "# GPU check"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- git: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- GPU: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
  echo "- command: \`bash scripts/gpu-check.sh $ARGS\` (each case: flashrnn-run PKG --random $SEED --batch B --seq T --heads NH --device cuda --check --repeat $REPEAT)"
  echo "- runtime unit tests (GoogleTest, no GPU): $UNIT"
  echo "- tolerance on the relative Frobenius error vs float64: 1e-2 (bf16, f16), 1e-3 (f32)"
  echo
  echo "| cell | dtype | B | T | NH | DH | states rel err (frob / max) | last rel err (frob / max) | check | median ms | us/step | note |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for row in "${ROWS[@]}"; do echo "$row"; done
  if [ ${#BROWS[@]} -gt 0 ]; then
    echo
    echo "## Backward (training pass: forward_train + backward + backward_reduce)"
    echo
    echo "Each case: \`flashrnn-run PKG --random $SEED --batch B --seq T --heads NH --device cuda --backward --check --repeat $BACKWARD_REPEAT\`;"
    echo "pass when the relative Frobenius error of every output (states, last, dwx, dr, db, ds0) is within the tolerance."
    echo "Gradient error: the worst relative Frobenius error over dwx, dr, db, ds0 / its max relative error (which output)."
    echo "Time: median of the whole pass (forward_train + backward + backward_reduce)."
    echo
    echo "| cell | dtype | B | T | NH | DH | states rel err (frob) | worst gradient rel err (frob / max) | check | fw+bw median ms | us/step | note |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    for row in "${BROWS[@]}"; do echo "$row"; done
  fi
  if [ ${#SROWS[@]} -gt 0 ]; then
    echo
    echo "## compute-sanitizer"
    echo
    echo "| package | B,T,NH | pass | tool | result | summary |"
    echo "|---|---|---|---|---|---|"
    for row in "${SROWS[@]}"; do echo "$row"; done
  fi
  echo
  echo "$cases forward case(s), $bcases backward case(s), $failures failure(s), $(elapsed). Logs: $LOGS/"
} > "$REPORT"

echo >&2
cat "$REPORT"
if [ -n "${LOGS_DIR:-}" ]; then
  tar -czf "$RESULT_DIR/gpu-check-logs.tar.gz" -C "$(dirname "$LOGS")" "$(basename "$LOGS")" 2>/dev/null
fi
[ "$cases" -gt 0 ] || { echo "[gpu-check] no package matched" >&2; exit 1; }
[ "$failures" -eq 0 ] && [ "$UNIT" != FAIL ]
