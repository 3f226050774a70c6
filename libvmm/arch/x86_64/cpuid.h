// Guest CPUID: KVM_GET_SUPPORTED_CPUID, filtered per vCPU (Intel SDM vol. 2A, CPUID).
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <span>
#include <vector>

namespace vmm::x86 {

class CpuidTable {
 public:
  explicit CpuidTable(std::span<const kvm_cpuid_entry2> supported)
      : entries_(supported.begin(), supported.end()) {}

  kvm_cpuid_entry2* find(uint32_t function, uint32_t index = 0);
  const kvm_cpuid_entry2* find(uint32_t function, uint32_t index = 0) const;
  // Replaces the entry with the same function/index, or appends it.
  void set(const kvm_cpuid_entry2& entry);
  std::span<const kvm_cpuid_entry2> entries() const { return entries_; }

  bool has_feature_ecx1(uint32_t bit) const;  // leaf 1 ECX
  bool has_feature_ebx7(uint32_t bit) const;  // leaf 7.0 EBX

 private:
  std::vector<kvm_cpuid_entry2> entries_;
};

// What every guest of ours sees: the hypervisor bit, this vCPU's APIC ID in leaves 1,
// 0xB and 0x1F and the logical-processor count, no MONITOR/MWAIT (we never emulate it),
// no PDCM and no architectural PMU (KVM offers no PMU here).
void normalize_cpuid(CpuidTable& table, uint32_t vcpu_index, uint32_t vcpu_count);

// XCR0 for a guest: x87|SSE, plus AVX when CPUID leaf 0xD offers it. 0 without XSAVE.
uint64_t guest_xcr0(const CpuidTable& table);

inline constexpr uint32_t kCpuid1EcxMonitor = 3;
inline constexpr uint32_t kCpuid1EcxPdcm = 15;
inline constexpr uint32_t kCpuid1EcxTscDeadline = 24;
inline constexpr uint32_t kCpuid1EcxXsave = 26;
inline constexpr uint32_t kCpuid1EcxOsxsave = 27;
inline constexpr uint32_t kCpuid1EcxRdrand = 30;
inline constexpr uint32_t kCpuid1EcxHypervisor = 31;
inline constexpr uint32_t kCpuid7EbxFsgsbase = 0;
inline constexpr uint32_t kCpuid7EbxRdseed = 18;

}  // namespace vmm::x86
