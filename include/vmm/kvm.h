// Kvm: the host's /dev/kvm, opened once per process and shared by every VM (pass the
// shared_ptr to each Instance). Opening checks the API version and every capability
// libvmm relies on, so a missing one fails up front with its name instead of midway
// through a boot.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace vmm {

struct KvmCapabilities {
  int max_memslots = 0;
  int max_vcpus = 0;
  int vcpu_mmap_size = 0;
  bool irqchip = false;
  bool split_irqchip = false;
  bool pit2 = false;
  bool ioeventfd = false;
  bool irqfd = false;
  bool readonly_mem = false;
  bool xsave = false;
  bool xcrs = false;
  bool sync_regs = false;
  bool tsc_deadline = false;
  bool x2apic_api = false;
};

class Kvm {
 public:
  // Opens `path` (O_RDWR|O_CLOEXEC), checks KVM_GET_API_VERSION == 12 and the required
  // capabilities (USER_MEMORY, IMMEDIATE_EXIT, EXT_CPUID, GET_TSC_KHZ, NR_MEMSLOTS),
  // reads the optional ones and the supported CPUID.
  static Result<std::shared_ptr<const Kvm>> open(const char* path = "/dev/kvm");

  int fd() const { return fd_.get(); }
  const KvmCapabilities& caps() const { return caps_; }
  // KVM_CHECK_EXTENSION on /dev/kvm.
  int check_extension(unsigned long cap) const;
  // Fails with "KVM capability <name> is not available" when `present` is false.
  static Result<void> require(bool present, const char* name);

  // KVM_GET_SUPPORTED_CPUID, fetched once at open.
  std::span<const kvm_cpuid_entry2> supported_cpuid() const { return supported_cpuid_; }
  // Host TSC frequency as KVM reports it (kHz); 0 until the first vCPU reported it.
  uint32_t tsc_khz() const { return tsc_khz_; }
  void note_tsc_khz(uint32_t khz) const { tsc_khz_ = khz; }

  Result<UniqueFd> create_vm_fd() const;

 private:
  Kvm() = default;
  UniqueFd fd_;
  KvmCapabilities caps_;
  std::vector<kvm_cpuid_entry2> supported_cpuid_;
  mutable uint32_t tsc_khz_ = 0;  // written once, same value by every writer
};

}  // namespace vmm
