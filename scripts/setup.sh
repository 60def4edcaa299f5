#!/usr/bin/env bash
# Installs what the build needs when it is missing (Debian/Ubuntu packages),
# then configures and builds everything with ninja into build/ (or $BUILD_DIR).
#
#   bash scripts/setup.sh            # install if needed, configure, build
#   SKIP_INSTALL=1 bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
LLVM_ROOT=/usr/lib/llvm-22
PACKAGES=(libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
          cmake ninja-build g++ python3 libgtest-dev)

log() { printf '[setup] %s\n' "$*" >&2; }

if [ -z "${SKIP_INSTALL:-}" ]; then
  missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

if [ ! -f "$LLVM_ROOT/lib/cmake/mlir/MLIRConfig.cmake" ]; then
  log "error: MLIR 22 not found under $LLVM_ROOT (package libmlir-22-dev)"
  exit 1
fi

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  log "configuring $BUILD_DIR"
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DMLIR_DIR="$LLVM_ROOT/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_ROOT/bin/lit" \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
log "building $BUILD_DIR"
start=$(date +%s)
ninja -C "$BUILD_DIR" >/dev/null
log "built in $(( $(date +%s) - start )) s"
