// Tests that need /dev/kvm (and root for networking) skip cleanly where it is missing:
// the whole executable exits with 77, which ctest reports as "skipped", after printing
// why. Under ctest they run through kvm_tier.sh, which gives them a /dev/kvm on every
// machine (natively or inside QEMU-TCG), so this only happens when run by hand.
#pragma once

#include <memory>
#include <string>

#include "vmm/kvm.h"

namespace vmm::test {

// The process-wide Kvm handle; exits 77 with a message when /dev/kvm cannot be opened.
std::shared_ptr<const Kvm> kvm_or_skip();
// Exits 77 with a message unless running as root.
void require_root_or_skip(const char* why);
// Path of a guest image built into build/guests.
std::string guest_path(const std::string& name);

}  // namespace vmm::test
