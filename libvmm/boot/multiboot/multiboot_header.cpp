#include "boot/multiboot/multiboot_header.h"

#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace vmm::multiboot {
namespace {

// Required-feature bits this loader understands (section 3.1.2): 0 and 1 are honoured;
// 2 (video) is known but no video information is given (QEMU does the same). Bits 3-15
// are undefined in 0.6.96 and make the loader refuse the image.
constexpr uint32_t kKnownRequiredFlags = kFlagPageAlign | kFlagMemoryInfo | kFlagVideoMode;

uint32_t word(std::span<const std::byte> file, uint64_t offset) {
  uint32_t v;
  std::memcpy(&v, file.data() + offset, sizeof v);
  return v;
}

Error header_error(uint64_t offset, std::string message) {
  return Error(fmt::format("multiboot: header at file offset {:#x}: {}", offset, message));
}

Result<standard_boot::ImagePlacement> plan_from_addresses(const Header& h, std::span<const std::byte> file) {
  // Section 3.1.3: header_addr is where the header itself lands; load_addr maps to file
  // offset header offset - (header_addr - load_addr).
  if (h.load_addr > h.header_addr || h.header_addr - h.load_addr > h.file_offset) {
    return header_error(h.file_offset, fmt::format("load_addr {:#x} and header_addr {:#x} put the load start before "
                                                   "the beginning of the file", h.load_addr, h.header_addr));
  }
  const uint64_t load_offset = h.file_offset - (h.header_addr - h.load_addr);
  uint64_t file_bytes = file.size() - load_offset;
  if (h.load_end_addr != 0) {
    if (h.load_end_addr <= h.load_addr) {
      return header_error(h.file_offset, fmt::format("load_end_addr {:#x} is not above load_addr {:#x}",
                                                     h.load_end_addr, h.load_addr));
    }
    if (uint64_t{h.load_end_addr} - h.load_addr > file_bytes) {
      return header_error(h.file_offset, fmt::format("load range [{:#x}, {:#x}) needs {} bytes from file offset {:#x}; "
                                                     "the file has {}", h.load_addr, h.load_end_addr,
                                                     h.load_end_addr - h.load_addr, load_offset, file_bytes));
    }
    file_bytes = h.load_end_addr - h.load_addr;
  }
  const uint64_t load_end = h.load_addr + file_bytes;
  if (load_end > (1ull << 32)) {
    return header_error(h.file_offset, fmt::format("the load range [{:#x}, {:#x}) does not fit in 32 bits",
                                                   h.load_addr, load_end));
  }
  if (h.bss_end_addr != 0 && h.bss_end_addr < load_end) {
    return header_error(h.file_offset, fmt::format("bss_end_addr {:#x} lies below the end of the load {:#x}",
                                                   h.bss_end_addr, load_end));
  }
  const uint64_t end = h.bss_end_addr != 0 ? h.bss_end_addr : load_end;
  if (h.entry_addr < h.load_addr || h.entry_addr >= end) {
    return header_error(h.file_offset, fmt::format("entry_addr {:#x} is outside the loaded range [{:#x}, {:#x})",
                                                   h.entry_addr, h.load_addr, end));
  }
  standard_boot::ImagePlacement plan;
  plan.segments.push_back({0, h.load_addr, h.load_addr, load_offset, file_bytes, end - h.load_addr, 7});
  plan.entry = h.entry_addr;
  plan.end = end;
  return plan;
}

Result<standard_boot::ImagePlacement> plan_from_elf(const ElfFile& elf) {
  standard_boot::ImagePlacement plan;
  plan.segments = elf.loads;
  plan.end = elf.load_end;
  for (const ElfSegment& s : elf.loads) {
    if (elf.entry >= s.paddr && elf.entry - s.paddr < s.mem_size) {
      plan.entry = elf.entry;
      return plan;
    }
  }
  for (const ElfSegment& s : elf.loads) {
    if (elf.entry >= s.vaddr && elf.entry - s.vaddr < s.mem_size) {
      plan.entry = s.paddr + (elf.entry - s.vaddr);
      return plan;
    }
  }
  return Error(fmt::format("multiboot: ELF entry point {:#x} is in no loaded segment", elf.entry));
}

}  // namespace

Result<Header> find_header(std::span<const std::byte> file) {
  // Section 3.1: a 32-bit aligned magic whose checksum holds; a magic with a bad checksum
  // is skipped (it may be data), but reported when no valid header follows.
  const uint64_t limit = std::min<uint64_t>(file.size(), kHeaderSearch);
  std::optional<Error> bad_checksum;
  for (uint64_t off = 0; off + 12 <= limit; off += 4) {
    if (word(file, off) != kHeaderMagic) continue;
    Header h;
    h.file_offset = off;
    h.flags = word(file, off + 4);
    const uint32_t checksum = word(file, off + 8);
    if (static_cast<uint32_t>(kHeaderMagic + h.flags + checksum) != 0) {
      if (!bad_checksum) {
        bad_checksum = header_error(off, fmt::format("checksum {:#x} does not make magic + flags ({:#x}) + checksum "
                                                     "zero", checksum, h.flags));
      }
      continue;
    }
    const uint32_t unknown = h.flags & 0xffff & ~kKnownRequiredFlags;
    if (unknown != 0) {
      return header_error(off, fmt::format("flags {:#x} require features {:#x} this loader does not know", h.flags,
                                           unknown));
    }
    if (h.flags & kFlagAddresses) {
      if (off + 32 > file.size()) {
        return header_error(off, "flag 16 is set but the address fields extend past the end of the file");
      }
      h.header_addr = word(file, off + 12);
      h.load_addr = word(file, off + 16);
      h.load_end_addr = word(file, off + 20);
      h.bss_end_addr = word(file, off + 24);
      h.entry_addr = word(file, off + 28);
    }
    return h;
  }
  if (bad_checksum) return std::move(*bad_checksum);
  return Error(fmt::format("multiboot: no header (magic {:#x}) in the first {} bytes", kHeaderMagic, kHeaderSearch));
}

Result<standard_boot::ImagePlacement> load_plan(const Header& header, const ElfFile& elf,
                                                std::span<const std::byte> file) {
  if (header.flags & kFlagAddresses) return plan_from_addresses(header, file);
  return plan_from_elf(elf);
}

}  // namespace vmm::multiboot
