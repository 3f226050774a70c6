#!/usr/bin/env bash
# Configures and builds libvmm in build/ (Release with debug info, warnings as errors).
# Usage: tools/build.sh [extra cmake args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh" build
cmake -S "$root" -B "$root/build" -DVMM_WERROR=ON "$@" >/dev/null
cmake --build "$root/build" -j "$(nproc)"
