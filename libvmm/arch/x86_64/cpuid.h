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

// What standard guests (Linux 64-bit, PVH, multiboot) see on top of normalize_cpuid.
struct StandardCpuidOptions {
  uint32_t tsc_khz = 0;      // KVM_GET_TSC_KHZ of the vCPU; 0: no TSC-frequency leaf
  bool has_lapic = true;     // the vCPU has an in-kernel LAPIC (irqchip kernel or split)
  bool tsc_deadline = false; // KVM_CAP_TSC_DEADLINE_TIMER: KVM emulates TSC-deadline mode
  bool host_rdrand = false;  // the CPU this process runs on executes RDRAND
  bool host_rdseed = false;  // ... and RDSEED (QEMU's TCG, for one, does not)
};

// RDRAND/RDSEED of the CPU running this process (CPUID leaves 1 and 7).
StandardCpuidOptions host_random_features();

// Hides RDRAND/RDSEED where the host lacks them, and the APIC, x2APIC and TSC-deadline
// bits when there is no LAPIC; offers TSC-deadline when there is one and KVM emulates it
// (KVM_GET_SUPPORTED_CPUID leaves that bit to userspace; with it Linux need not calibrate
// its LAPIC timer against another timer). When the TSC is invariant (0x80000007 EDX bit
// 8) and tsc_khz is known, adds the hypervisor TSC-frequency leaf 0x40000010 (EAX: TSC
// kHz, EBX: local APIC timer kHz, 1 GHz under KVM) and raises 0x40000000.EAX to include
// it, so guests need not calibrate against the PIT. KVM's paravirtual leaves (0x40000000
// "KVMKVMKVM", 0x40000001 features) are kept as KVM reports them.
void add_standard_cpuid(CpuidTable& table, const StandardCpuidOptions& options);

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
inline constexpr uint32_t kCpuid1EdxApic = 9;
inline constexpr uint32_t kCpuid1EcxX2apic = 21;
inline constexpr uint32_t kCpuidExt7EdxInvariantTsc = 8;
inline constexpr uint32_t kCpuidHypervisorBase = 0x40000000;
inline constexpr uint32_t kCpuidTscFrequency = 0x40000010;
inline constexpr uint32_t kKvmApicTimerKhz = 1000000;  // KVM's APIC bus runs at 1 GHz

}  // namespace vmm::x86
