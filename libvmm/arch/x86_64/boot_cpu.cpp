#include "arch/x86_64/boot_cpu.h"

#include <cerrno>
#include <cstring>

#include "arch/x86_64/cpu_bits.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/layout.h"

namespace vmm::x86 {
namespace {

using namespace standard;

// Local APIC register offsets (Intel SDM vol. 3A table 11-1) and LVT delivery modes.
constexpr size_t kApicLvtLint0 = 0x350;
constexpr size_t kApicLvtLint1 = 0x360;
constexpr uint32_t kDeliveryModeMask = 0x700;
constexpr uint32_t kDeliveryNmi = 0x400;
constexpr uint32_t kDeliveryExtInt = 0x700;
constexpr uint32_t kTssLimit = 0x67;  // a 32-bit TSS without I/O bitmap

uint32_t read_apic_reg(const kvm_lapic_state& s, size_t offset) {
  uint32_t v;
  std::memcpy(&v, s.regs + offset, sizeof v);
  return v;
}

void write_apic_reg(kvm_lapic_state& s, size_t offset, uint32_t v) { std::memcpy(s.regs + offset, &v, sizeof v); }

}  // namespace

Result<void> write_standard_gdt(const GuestMemory& mem, SegmentKind code) {
  uint64_t gdt[kGdtEntries] = {};
  if (code != SegmentKind::Code64) gdt[kSelectorTss / 8] = tss_descriptor(0, kTssLimit).low;  // type 0xB: busy
  gdt[kSelectorCode / 8] = flat_segment_descriptor(code, 0);
  gdt[kSelectorData / 8] = flat_segment_descriptor(SegmentKind::Data, 0);
  return mem.write(kGdt, gdt);
}

Result<void> set_entry_state(Vcpu& vcpu, const EntryState& state) {
  const bool long_mode = state.mode == EntryMode::Long64;
  kvm_sregs s = VMM_TRY(vcpu.get_sregs());
  s.cs = flat_kvm_segment(long_mode ? SegmentKind::Code64 : SegmentKind::Code32, 0, kSelectorCode);
  s.ds = s.es = s.fs = s.gs = s.ss = flat_kvm_segment(SegmentKind::Data, 0, kSelectorData);
  if (!long_mode) s.tr = tss_kvm_segment(0, kTssLimit, kSelectorTss);  // PVH: 32-bit TSS, base 0, limit 0x67
  s.ldt = {};
  s.ldt.unusable = 1;
  s.gdt.base = kGdt;
  s.gdt.limit = kGdtEntries * 8 - 1;
  s.idt.base = kIdt;
  s.idt.limit = 0;
  s.cr0 = long_mode ? (kCr0Pe | kCr0Mp | kCr0Et | kCr0Ne | kCr0Pg) : (kCr0Pe | kCr0Et);
  s.cr3 = long_mode ? state.cr3 : 0;
  s.cr4 = long_mode ? kCr4Pae : 0;
  s.efer = long_mode ? (kEferLme | kEferLma) : 0;
  VMM_TRY(vcpu.set_sregs(s));

  kvm_regs r{};
  r.rip = state.rip;
  r.rsp = state.rsp;
  r.rax = state.rax;
  r.rbx = state.rbx;
  r.rsi = state.rsi;
  r.rflags = kRflagsReserved1;
  return vcpu.set_regs(r);
}

Result<bool> configure_lapic_lints(Vcpu& vcpu) {
  auto lapic = vcpu.get_lapic();
  if (!lapic) {
    // KVM answers EINVAL (older kernels ENXIO) when the vCPU has no in-kernel LAPIC.
    if (lapic.error().sys_errno() == EINVAL || lapic.error().sys_errno() == ENXIO) return false;
    return std::move(lapic).error();
  }
  kvm_lapic_state& s = *lapic;
  write_apic_reg(s, kApicLvtLint0, (read_apic_reg(s, kApicLvtLint0) & ~kDeliveryModeMask) | kDeliveryExtInt);
  write_apic_reg(s, kApicLvtLint1, (read_apic_reg(s, kApicLvtLint1) & ~kDeliveryModeMask) | kDeliveryNmi);
  VMM_TRY(vcpu.set_lapic(s));
  return true;
}

Result<void> set_standard_cpuid(Vcpu& vcpu, const Kvm& kvm, uint32_t vcpu_count, bool has_lapic) {
  CpuidTable cpuid(kvm.supported_cpuid());
  normalize_cpuid(cpuid, vcpu.id(), vcpu_count);
  StandardCpuidOptions options = host_random_features();
  options.has_lapic = has_lapic;
  options.tsc_deadline = kvm.caps().tsc_deadline;
  uint32_t khz = kvm.tsc_khz();
  if (khz == 0) {
    khz = VMM_TRY(vcpu.tsc_khz());
    kvm.note_tsc_khz(khz);
  }
  options.tsc_khz = khz;
  add_standard_cpuid(cpuid, options);
  return vcpu.set_cpuid(cpuid.entries());
}

}  // namespace vmm::x86
