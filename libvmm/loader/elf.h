// ELF parsing and validation for boot images (ELF64 and ELF32, little-endian, x86).
// The file is untrusted: every offset, size and count is checked against the file and
// for overflow, and every rejection names the field and values ("ELF: segment 2: file
// range [0x1000, 0x9000) extends past the end of the file (0x4000 bytes)").
// Placement in guest memory is checked later by the boot protocol, which knows the map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vmm/result.h"

namespace vmm {

struct ElfSegment {
  uint32_t index = 0;  // program header index
  uint64_t paddr = 0;
  uint64_t vaddr = 0;
  uint64_t file_offset = 0;
  uint64_t file_size = 0;
  uint64_t mem_size = 0;
  uint32_t flags = 0;  // PF_R | PF_W | PF_X
};

struct ElfNote {
  std::string name;      // without the terminating NUL
  uint32_t type = 0;
  uint64_t desc_offset = 0;  // file offset of the descriptor
  uint64_t desc_size = 0;
};

struct ElfFile {
  unsigned elf_class = 64;  // 32 or 64
  uint16_t machine = 0;
  uint64_t entry = 0;
  std::vector<ElfSegment> loads;  // PT_LOAD with mem_size > 0, in program-header order
  std::vector<ElfNote> notes;     // from every PT_NOTE
  uint64_t load_start = 0;        // lowest paddr of any load
  uint64_t load_end = 0;          // one past the highest paddr + mem_size

  // The first note with this name and type, or nullptr.
  const ElfNote* find_note(std::string_view name, uint32_t type) const;
};

inline constexpr uint64_t kElfMaxFileSize = 1ull << 30;
inline constexpr size_t kElfMaxProgramHeaders = 128;
inline constexpr size_t kElfMaxNotes = 256;

Result<ElfFile> parse_elf(std::span<const std::byte> file);

}  // namespace vmm
