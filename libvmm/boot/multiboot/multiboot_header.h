// The Multiboot 0.6.96 header (section 3.1) of an image, and the load plan it implies:
// the image's ELF segments, or, with header flag 16 (the "a.out kludge", section 3.1.3),
// the header's own load/bss/entry addresses, which then override the ELF's.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "boot/standard/standard_driver.h"
#include "loader/elf.h"
#include "vmm/result.h"

namespace vmm::multiboot {

inline constexpr uint32_t kHeaderMagic = 0x1badb002;      // section 3.1.1
inline constexpr uint32_t kBootloaderMagic = 0x2badb002;  // EAX at entry, section 3.2
inline constexpr uint64_t kHeaderSearch = 8192;           // the header lies in the first 8 KiB
inline constexpr uint32_t kFlagPageAlign = 1u << 0;       // modules page-aligned
inline constexpr uint32_t kFlagMemoryInfo = 1u << 1;      // mem_* and mmap_* required
inline constexpr uint32_t kFlagVideoMode = 1u << 2;       // video mode table requested
inline constexpr uint32_t kFlagAddresses = 1u << 16;      // header_addr..entry_addr valid

struct Header {
  uint64_t file_offset = 0;
  uint32_t flags = 0;
  // Valid with kFlagAddresses (section 3.1.3).
  uint32_t header_addr = 0;
  uint32_t load_addr = 0;
  uint32_t load_end_addr = 0;  // 0: the load extends to the end of the file
  uint32_t bss_end_addr = 0;   // 0: no BSS
  uint32_t entry_addr = 0;
};

// Finds and checks the header: 4-byte aligned in the first 8 KiB, magic + flags +
// checksum = 0 (mod 2^32), no required flag (bits 0-15) we do not know, and with flag 16
// the address fields complete. Errors name the offset and the defect.
Result<Header> find_header(std::span<const std::byte> file);

// Where the image goes. With flag 16: one segment built from the header (checked against
// the file); otherwise the ELF's segments, with an entry point given as a virtual address
// translated to the physical one of the segment holding it.
Result<standard_boot::ImagePlacement> load_plan(const Header& header, const ElfFile& elf,
                                                std::span<const std::byte> file);

}  // namespace vmm::multiboot
