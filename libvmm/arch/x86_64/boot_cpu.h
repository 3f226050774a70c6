// CPU state at the entry of a standard guest, and the per-vCPU platform setup the three
// standard protocols share: GDT, CPUID, local APIC LINT pins.
#pragma once

#include <cstdint>

#include "arch/x86_64/descriptors.h"
#include "vmm/guest_memory.h"
#include "vmm/kvm.h"
#include "vmm/result.h"
#include "vmm/vcpu.h"

namespace vmm::x86 {

enum class EntryMode {
  Long64,       // 64-bit mode, paging on (cr3), CS = 0x10 64-bit, data 0x18
  Protected32,  // 32-bit protected mode, paging off, CS = 0x10 32-bit, data 0x18, TR 0x08
};

struct EntryState {
  EntryMode mode = EntryMode::Long64;
  uint64_t rip = 0;
  uint64_t rsp = 0;
  uint64_t cr3 = 0;  // Long64 only
  uint64_t rax = 0;
  uint64_t rbx = 0;
  uint64_t rsi = 0;
};

// The GDT at layout standard::kGdt: null, a 32-bit TSS (base 0, limit 0x67) at 0x08 for
// Protected32 (null for Long64, whose TSS descriptors take two slots), flat code at
// 0x10 (64-bit or 32-bit as `code` says) and flat read/write data at 0x18. Both segments
// are DPL 0 with the accessed bit preset.
Result<void> write_standard_gdt(const GuestMemory& mem, SegmentKind code);

// Segments, control registers, EFER and general registers for `state`; interrupts off
// (RFLAGS = 0x2), every other register zero. Long64: CR0 = PE|MP|ET|NE|PG, CR4 = PAE,
// EFER = LME|LMA. Protected32: CR0 = PE|ET, CR4 = 0, EFER = 0 (PVH and multiboot).
Result<void> set_entry_state(Vcpu& vcpu, const EntryState& state);

// Programs the vCPU's in-kernel local APIC as a PC BIOS leaves it: LINT0 delivers ExtINT
// (the 8259 PIC, virtual-wire mode) and LINT1 NMI; the mask bits stay as KVM reset them
// (LINT0 unmasked on the BSP only). Returns false, changing nothing, when the vCPU has no
// in-kernel LAPIC (irqchip none).
Result<bool> configure_lapic_lints(Vcpu& vcpu);

// CPUID of a standard guest's vCPU: normalize_cpuid, then add_standard_cpuid with the
// vCPU's TSC frequency and the host's RDRAND/RDSEED.
Result<void> set_standard_cpuid(Vcpu& vcpu, const Kvm& kvm, uint32_t vcpu_count, bool has_lapic);

}  // namespace vmm::x86
