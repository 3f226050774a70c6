#include "arch/x86_64/cpuid.h"

#include <cpuid.h>

#include "arch/x86_64/cpu_bits.h"

namespace vmm::x86 {

kvm_cpuid_entry2* CpuidTable::find(uint32_t function, uint32_t index) {
  for (auto& e : entries_) {
    bool indexed = e.flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
    if (e.function == function && (!indexed || e.index == index)) return &e;
  }
  return nullptr;
}

const kvm_cpuid_entry2* CpuidTable::find(uint32_t function, uint32_t index) const {
  return const_cast<CpuidTable*>(this)->find(function, index);
}

void CpuidTable::set(const kvm_cpuid_entry2& entry) {
  for (auto& e : entries_) {
    if (e.function == entry.function && e.index == entry.index) {
      e = entry;
      return;
    }
  }
  entries_.push_back(entry);
}

bool CpuidTable::has_feature_ecx1(uint32_t bit) const {
  const auto* e = find(1);
  return e != nullptr && (e->ecx >> bit) & 1;
}

bool CpuidTable::has_feature_ebx7(uint32_t bit) const {
  const auto* e = find(7, 0);
  return e != nullptr && (e->ebx >> bit) & 1;
}

void normalize_cpuid(CpuidTable& table, uint32_t vcpu_index, uint32_t vcpu_count) {
  if (auto* e = table.find(1)) {
    e->ebx = (e->ebx & 0x0000ffffu) | (vcpu_index << 24) | ((vcpu_count & 0xff) << 16);
    e->ecx |= 1u << kCpuid1EcxHypervisor;
    e->ecx &= ~((1u << kCpuid1EcxMonitor) | (1u << kCpuid1EcxPdcm));
    if (vcpu_count > 1) e->edx |= 1u << 28;  // HTT: EBX[23:16] is valid
  }
  // Extended topology: x2APIC ID of this vCPU (leaves 0xB and 0x1F, every sub-leaf).
  for (uint32_t leaf : {0xbu, 0x1fu}) {
    for (uint32_t sub = 0; sub < 8; ++sub) {
      if (auto* e = table.find(leaf, sub)) e->edx = vcpu_index;
    }
  }
  // No architectural performance monitoring.
  if (auto* e = table.find(0xa)) e->eax = e->ebx = e->ecx = e->edx = 0;
  // No MONITOR/MWAIT leaf contents.
  if (auto* e = table.find(5)) e->eax = e->ebx = e->ecx = e->edx = 0;
}

StandardCpuidOptions host_random_features() {
  StandardCpuidOptions o;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_count(1, 0, &a, &b, &c, &d)) o.host_rdrand = (c >> kCpuid1EcxRdrand) & 1;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) o.host_rdseed = (b >> kCpuid7EbxRdseed) & 1;
  return o;
}

void add_standard_cpuid(CpuidTable& table, const StandardCpuidOptions& options) {
  if (auto* e = table.find(1)) {
    if (!options.host_rdrand) e->ecx &= ~(1u << kCpuid1EcxRdrand);
    if (!options.has_lapic) {
      e->edx &= ~(1u << kCpuid1EdxApic);
      e->ecx &= ~((1u << kCpuid1EcxX2apic) | (1u << kCpuid1EcxTscDeadline));
    } else if (options.tsc_deadline) {
      e->ecx |= 1u << kCpuid1EcxTscDeadline;
    }
  }
  if (auto* e = table.find(7, 0); e && !options.host_rdseed) e->ebx &= ~(1u << kCpuid7EbxRdseed);

  const auto* power = table.find(0x80000007);
  const bool invariant = power != nullptr && (power->edx >> kCpuidExt7EdxInvariantTsc) & 1;
  auto* base = table.find(kCpuidHypervisorBase);
  if (!invariant || options.tsc_khz == 0 || base == nullptr) return;
  if (base->eax < kCpuidTscFrequency) base->eax = kCpuidTscFrequency;
  kvm_cpuid_entry2 leaf{};
  leaf.function = kCpuidTscFrequency;
  leaf.eax = options.tsc_khz;
  leaf.ebx = options.has_lapic ? kKvmApicTimerKhz : 0;
  table.set(leaf);
}

uint64_t guest_xcr0(const CpuidTable& table) {
  if (!table.has_feature_ecx1(kCpuid1EcxXsave)) return 0;
  const auto* d = table.find(0xd, 0);
  uint64_t offered = d ? (uint64_t{d->edx} << 32 | d->eax) : 0;
  uint64_t xcr0 = kXcr0X87 | kXcr0Sse;
  if (offered & kXcr0Avx) xcr0 |= kXcr0Avx;
  return xcr0;
}

}  // namespace vmm::x86
