// The guest-physical memory map of standard guests (docs/memory-map.md), handed to them
// as the e820 table (Linux), the PVH memmap or the multiboot mmap. The three formats use
// the same type numbers for the types used here (zero-page.rst e820 types; Xen
// hvm_memmap_table_entry XEN_HVM_MEMMAP_TYPE_*; Multiboot 0.6.96 section 3.3 mmap).
#pragma once

#include <cstdint>
#include <vector>

#include "vmm/result.h"

namespace vmm::x86 {

enum class MemoryType : uint32_t {
  Ram = 1,       // E820_TYPE_RAM / XEN_HVM_MEMMAP_TYPE_RAM / multiboot "available"
  Reserved = 2,  // E820_TYPE_RESERVED / XEN_HVM_MEMMAP_TYPE_RESERVED / anything else
};

struct MemoryRange {
  uint64_t addr = 0;
  uint64_t size = 0;
  MemoryType type = MemoryType::Ram;
};

// Checks that `ram_size` can be laid out for a standard guest: a multiple of 4 KiB, at
// least 2 MiB, and below the MMIO gap. `protocol` names the caller in the error.
Result<void> check_standard_ram(uint64_t ram_size, const char* protocol);

// One past the last byte of RAM below the MMIO gap (the initrd goes just under it).
uint64_t low_ram_end(uint64_t ram_size);

// Sorted and non-overlapping: RAM [0, 0x9fc00), reserved [0x9fc00, 1 MiB) (system data:
// MP table; legacy VGA/BIOS hole), RAM [1 MiB, ram end), reserved [3 GiB, 4 GiB) (the
// MMIO gap: boot timer, virtio-mmio, IOAPIC, LAPIC). ram_size passed check_standard_ram.
std::vector<MemoryRange> standard_memory_map(uint64_t ram_size);

}  // namespace vmm::x86
