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

// Which KVM implementation serves /dev/kvm. It decides details the guest's CPU state must
// match (docs/guest-abi.md, "Port access") and names the machine in benchmark reports.
enum class KvmFlavour {
  Vmx,      // kvm_intel: Intel VT-x
  Svm,      // kvm_amd: AMD-V
  Pvm,      // kvm_pvm: paravirtualised KVM without hardware virtualisation
  Unknown,  // none of the above found; treated like Vmx (the strictest)
};

// Where this KVM runs: its flavour and the hypervisor (if any) under the host itself.
struct KvmHost {
  KvmFlavour flavour = KvmFlavour::Unknown;
  // The host CPU's hypervisor signature (CPUID 0x40000000), e.g. "KVMKVMKVM" or
  // "TCGTCGTCGTCG"; empty on bare metal.
  std::string hypervisor;
  bool emulated() const { return hypervisor == "TCGTCGTCGTCG"; }  // inside QEMU-TCG
  // One line for reports, e.g. "SVM (kvm_amd) inside QEMU-TCG: emulated, not libvmm's
  // speed", "PVM (kvm_pvm) nested in KVM", "VMX (kvm_intel) on bare metal".
  std::string describe() const;
};

// Name of a flavour: "VMX", "SVM", "PVM", "unknown".
const char* flavour_name(KvmFlavour flavour);

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
  // Detected once at open (sysfs module names, the host CPU's hypervisor leaf).
  const KvmHost& host() const { return host_; }
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
  KvmHost host_;
  std::vector<kvm_cpuid_entry2> supported_cpuid_;
  mutable uint32_t tsc_khz_ = 0;  // written once, same value by every writer
};

}  // namespace vmm
