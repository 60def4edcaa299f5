#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what is missing, builds,
# and runs every lit test (dialect, passes, packages, CPU reference, runtime).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ninja -C "${BUILD_DIR:-build}" check-flashrnn
