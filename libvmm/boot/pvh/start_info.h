// The Xen PVH boot ABI (xen/include/public/arch-x86/hvm/start_info.h, version 1;
// docs/misc/pvh.pandoc): what EBX points to at a PVH entry. All fields little-endian,
// addresses guest-physical.
#pragma once

#include <cstdint>

namespace vmm::pvh {

inline constexpr uint32_t kStartInfoMagic = 0x336ec578;  // "xEn3" with bit 7 of 'E' set
inline constexpr uint32_t kStartInfoVersion = 1;         // 1: has the memory map fields
inline constexpr uint32_t kXenElfNotePhys32Entry = 18;   // xen/include/public/elfnote.h

struct hvm_start_info {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;           // SIF_xxx: none
  uint32_t nr_modules;
  uint64_t modlist_paddr;   // struct hvm_modlist_entry[nr_modules]
  uint64_t cmdline_paddr;   // NUL-terminated
  uint64_t rsdp_paddr;      // ACPI RSDP; 0: none
  uint64_t memmap_paddr;    // version >= 1: struct hvm_memmap_table_entry[memmap_entries]
  uint32_t memmap_entries;
  uint32_t reserved;
};

struct hvm_modlist_entry {
  uint64_t paddr;
  uint64_t size;
  uint64_t cmdline_paddr;  // 0: none
  uint64_t reserved;
};

struct hvm_memmap_table_entry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;  // XEN_HVM_MEMMAP_TYPE_RAM = 1, _RESERVED = 2 (e820 numbering)
  uint32_t reserved;
};

static_assert(sizeof(hvm_start_info) == 56);
static_assert(sizeof(hvm_modlist_entry) == 32);
static_assert(sizeof(hvm_memmap_table_entry) == 24);

}  // namespace vmm::pvh
