// The bare-KVM floor of a boot: raw ioctls only (create VM, one memory slot, one vCPU
// entered at CPL3 in 64-bit mode, run to its first exit, close). What any VMM built on
// KVM pays at least on this host; libvmm's boot is compared against it in the same run.
#pragma once

#include <cstdint>

namespace vmm::bench {

struct FloorSample {
  int64_t total_ns = 0;     // create VM .. first exit returned
  int64_t create_ns = 0;    // KVM_CREATE_VM
  int64_t teardown_ns = 0;  // closing vCPU and VM fds, unmapping
  bool ok = false;
};

// kvm_fd: an open /dev/kvm. run_mmap_size: KVM_GET_VCPU_MMAP_SIZE. tr_busy: the TR type
// this KVM needs for CPL3 port I/O through the TSS bitmap (vmm::lean::tr_must_be_busy).
FloorSample run_bare_floor(int kvm_fd, int run_mmap_size, bool tr_busy);

}  // namespace vmm::bench
