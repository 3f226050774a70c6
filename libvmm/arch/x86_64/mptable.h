// The MultiProcessor Specification 1.4 table (Intel, 1997) that tells guests without ACPI
// where their CPUs, the IOAPIC and the ISA interrupt lines are: a floating pointer
// structure (chapter 4.1) found by the guest's scan of the last KiB of base memory,
// followed by the configuration table (chapter 4.2, entries in chapter 4.3).
#pragma once

#include <cstdint>

#include "vmm/guest_memory.h"
#include "vmm/result.h"

namespace vmm::x86 {

// Bytes the table takes for `vcpu_count` processors.
uint64_t mptable_size(uint32_t vcpu_count);

// Writes the table at `addr` (16-byte aligned, in [0x9fc00, 0xa0000) for the scan to find
// it): processors with APIC IDs 0..n-1 (0 is the bootstrap processor), one ISA bus, the
// IOAPIC at layout's kIoapic with ID n, ISA IRQs 0..23 wired to the IOAPIC pin of the same
// number (what KVM's default GSI routing does), LINT0 as ExtINT and LINT1 as NMI on every
// local APIC. Fails when the table does not fit in guest memory.
Result<void> write_mptable(const GuestMemory& mem, uint64_t addr, uint32_t vcpu_count);

}  // namespace vmm::x86
