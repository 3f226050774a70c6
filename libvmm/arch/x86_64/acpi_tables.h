// A minimal ACPI description (ACPI 6.5 specification) for guests that find their CPUs
// and interrupt controllers only through ACPI (Debian's kernels are built without MP
// table parsing): RSDP -> XSDT -> FADT (with FACS and DSDT) and MADT.
// Not hardware-reduced (unlike Firecracker's): a hardware-reduced platform makes Linux
// drop the 8259 PIC and with it the ISA interrupt numbers that the legacy devices and the
// command-line virtio-mmio devices use. So the FADT describes a PC: 8259s (MADT
// PCAT_COMPAT), an 8042, legacy devices, a fixed-hardware PM1a event/control block
// (devices/acpi_pm.h) whose S5 sleep type powers off, and the i8042 reset as the ACPI
// reset register. The DSDT holds only the _S5 object; no PM timer, no GPE block.
#pragma once

#include <cstdint>

#include "vmm/guest_memory.h"
#include "vmm/result.h"

namespace vmm::x86 {

// Bytes the tables (without the RSDP) take for `vcpu_count` processors.
uint64_t acpi_tables_size(uint32_t vcpu_count);

// Writes DSDT, FADT, MADT and XSDT from `tables` upwards and the RSDP (revision 2) at
// `rsdp`, a 16-byte-aligned address in [0xe0000, 0x100000) where guests scan for it.
// The MADT lists local APICs 0..n-1 (processor UIDs the same), the IOAPIC at layout's
// kIoapic with ID n and GSI base 0, and LINT1 as NMI on every processor; the FADT says an
// 8042 and legacy devices exist but no VGA, names CMOS register 0x32 as the century,
// the SCI as IRQ 9 and the PM1a blocks at layout's kPortAcpiPm1a*.
Result<void> write_acpi_tables(const GuestMemory& mem, uint64_t rsdp, uint64_t tables, uint32_t vcpu_count);

}  // namespace vmm::x86
