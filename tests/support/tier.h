// The KVM tier a test runs in: tests/support/kvm_tier.sh sets VMM_TEST_TIER to "native"
// (this machine's /dev/kvm) or "tcg" (a standard KVM inside QEMU-TCG, where a VM create
// costs 30-200 ms and an exit 40-100 us). Loops sized for native speed take their smaller
// count there; a test that does so names both counts.
#pragma once

namespace vmm::test {

// True inside the TCG tier.
bool in_tcg_tier();
// `native` on a native KVM, `tcg` in the TCG tier (never zero: the loop still runs).
int tier_count(int native, int tcg);

}  // namespace vmm::test
