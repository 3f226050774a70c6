// The VMM-owned part of a lean guest's memory (layout.h, namespace lean): GDT, one TSS
// with an I/O bitmap per vCPU, the IDT and its CPL0 exception stubs, and the page tables.
#pragma once

#include <cstdint>
#include <span>

#include "arch/x86_64/page_tables.h"
#include "loader/elf.h"
#include "vmm/guest_memory.h"
#include "vmm/result.h"

namespace vmm::lean {

// Ports CPL3 code may use: exactly the hypercall ports below VMM_HC_EXCEPTION. Every
// other port (including the exception port, reserved to the CPL0 stubs) raises #GP.
inline constexpr uint16_t kFirstGuestPort = 0x500;
inline constexpr uint16_t kLastGuestPort = 0x50e;

// Writes GDT, TSSes (vcpu_count of them), IDT and the exception stubs.
Result<void> write_cpu_tables(const GuestMemory& mem, uint32_t vcpu_count);

// TSS limit (inclusive) of each vCPU's TSS, covering the I/O bitmap.
uint32_t tss_limit();

// The identity mappings of a lean guest: VMM area (supervisor), boot info (user, read
// only), image segments (their own permissions), the rest of RAM (user, RW, NX), and the
// device MMIO window.
Result<x86::PageTables> write_page_tables(const GuestMemory& mem, const ElfFile& elf, uint64_t ram_size);

}  // namespace vmm::lean
