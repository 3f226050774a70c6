#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the whole test suite
# (ctest: unit, KVM, virtio, standard guests incl. the QEMU-TCG tier, network, fuzzers,
# install check). Tests that need /dev/kvm or root report "skipped" where those are missing.
# Usage: tools/test.sh [ctest args...], e.g. tools/test.sh -L unit
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh" all
"$root/tools/build.sh"
cd "$root/build"
ctest --output-on-failure --timeout 1800 "$@"
