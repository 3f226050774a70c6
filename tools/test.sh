#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the whole test suite
# (ctest: unit, KVM, virtio, standard guests incl. the QEMU-TCG tier, network, fuzzers,
# install check). Every entry that needs KVM runs on /dev/kvm where it can be opened and
# otherwise on a standard KVM inside QEMU-TCG (tests/support/kvm_tier.sh); VMM_KVM_TIER=tcg
# forces that tier everywhere. The last lines count the KVM entries by tier.
# Usage: tools/test.sh [ctest args...], e.g. tools/test.sh -L unit
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh" all
"$root/tools/build.sh"
cd "$root/build"
export VMM_TIER_LOG=$root/build/kvm-tiers.log
: >"$VMM_TIER_LOG"
status=0
ctest --output-on-failure --timeout 1800 "$@" || status=$?
"$root/tools/tier-summary.sh" "$VMM_TIER_LOG"
exit $status
