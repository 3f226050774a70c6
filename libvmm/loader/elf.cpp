#include "loader/elf.h"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/checked_math.h"

namespace vmm {
namespace {

Error elf_error(std::string message) { return Error("ELF: " + std::move(message)); }

template <class T>
T load(std::span<const std::byte> file, uint64_t offset) {
  T value;
  std::memcpy(&value, file.data() + offset, sizeof(T));
  return value;
}

// Program header in class-neutral form.
struct Phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

Phdr read_phdr(std::span<const std::byte> file, uint64_t offset, unsigned elf_class) {
  if (elf_class == 64) {
    auto p = load<Elf64_Phdr>(file, offset);
    return {p.p_type, p.p_flags, p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz, p.p_align};
  }
  auto p = load<Elf32_Phdr>(file, offset);
  return {p.p_type, p.p_flags, p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz, p.p_align};
}

// Notes of one PT_NOTE segment (ELF gABI "Note Section"): namesz, descsz, type, then name
// and descriptor, each padded to the segment's alignment (4, or 8 for some ELF64 notes).
Result<void> parse_notes(std::span<const std::byte> file, const Phdr& ph, unsigned index, ElfFile& out) {
  const uint64_t align = ph.align == 8 ? 8 : 4;
  uint64_t pos = ph.offset;
  const uint64_t end = ph.offset + ph.filesz;  // checked against the file by the caller
  while (pos < end) {
    if (end - pos < 12) return elf_error(fmt::format("segment {}: note header at {:#x} is truncated", index, pos));
    uint32_t namesz = load<uint32_t>(file, pos);
    uint32_t descsz = load<uint32_t>(file, pos + 4);
    uint32_t type = load<uint32_t>(file, pos + 8);
    uint64_t name_at = pos + 12;
    uint64_t desc_at = name_at + align_up(namesz, align);
    uint64_t next = desc_at + align_up(descsz, align);  // 32-bit sizes: no 64-bit overflow
    if (desc_at > end || desc_at + descsz > end) {
      return elf_error(fmt::format("segment {}: note at {:#x} (name {} bytes, descriptor {} bytes) "
                                   "extends past the segment end {:#x}", index, pos, namesz, descsz, end));
    }
    if (out.notes.size() == kElfMaxNotes) return elf_error(fmt::format("more than {} notes", kElfMaxNotes));
    ElfNote note;
    const char* name = reinterpret_cast<const char*>(file.data() + name_at);
    note.name.assign(name, strnlen(name, namesz));
    note.type = type;
    note.desc_offset = desc_at;
    note.desc_size = descsz;
    out.notes.push_back(std::move(note));
    pos = std::min(next, end);
  }
  return {};
}

}  // namespace

const ElfNote* ElfFile::find_note(std::string_view name, uint32_t type) const {
  for (const ElfNote& n : notes) {
    if (n.name == name && n.type == type) return &n;
  }
  return nullptr;
}

Result<ElfFile> parse_elf(std::span<const std::byte> file) {
  const uint64_t size = file.size();
  if (size > kElfMaxFileSize) return elf_error(fmt::format("file is too large ({} bytes)", size));
  if (size < EI_NIDENT) return elf_error(fmt::format("file is too small for an ELF header ({} bytes)", size));
  auto ident = reinterpret_cast<const unsigned char*>(file.data());
  if (std::memcmp(ident, ELFMAG, SELFMAG) != 0) return elf_error("bad magic (not an ELF file)");
  if (ident[EI_DATA] != ELFDATA2LSB) return elf_error("not little-endian (EI_DATA must be ELFDATA2LSB)");
  if (ident[EI_VERSION] != EV_CURRENT) return elf_error(fmt::format("unknown ELF version {}", ident[EI_VERSION]));

  ElfFile out;
  uint16_t type, phentsize, phnum;
  uint32_t version;
  uint64_t phoff;
  if (ident[EI_CLASS] == ELFCLASS64) {
    if (size < sizeof(Elf64_Ehdr)) return elf_error(fmt::format("file is too small for an ELF64 header ({} bytes)", size));
    auto h = load<Elf64_Ehdr>(file, 0);
    out.elf_class = 64;
    type = h.e_type, out.machine = h.e_machine, version = h.e_version, out.entry = h.e_entry;
    phoff = h.e_phoff, phentsize = h.e_phentsize, phnum = h.e_phnum;
  } else if (ident[EI_CLASS] == ELFCLASS32) {
    if (size < sizeof(Elf32_Ehdr)) return elf_error(fmt::format("file is too small for an ELF32 header ({} bytes)", size));
    auto h = load<Elf32_Ehdr>(file, 0);
    out.elf_class = 32;
    type = h.e_type, out.machine = h.e_machine, version = h.e_version, out.entry = h.e_entry;
    phoff = h.e_phoff, phentsize = h.e_phentsize, phnum = h.e_phnum;
  } else {
    return elf_error(fmt::format("unsupported class {} (expected ELFCLASS32 or ELFCLASS64)", ident[EI_CLASS]));
  }

  if (version != EV_CURRENT) return elf_error(fmt::format("unknown e_version {}", version));
  if (type == ET_DYN) return elf_error("position-independent image (ET_DYN) is not supported; link with -no-pie");
  if (type != ET_EXEC) return elf_error(fmt::format("e_type {} is not an executable (ET_EXEC)", type));
  const uint16_t want_machine = out.elf_class == 64 ? EM_X86_64 : EM_386;
  if (out.machine != want_machine) {
    return elf_error(fmt::format("e_machine {} is not {} (expected {})", out.machine,
                                 out.elf_class == 64 ? "x86-64" : "i386", want_machine));
  }
  const uint64_t want_phentsize = out.elf_class == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  if (phnum == 0) return elf_error("no program headers");
  if (phentsize != want_phentsize) {
    return elf_error(fmt::format("e_phentsize {} (expected {})", phentsize, want_phentsize));
  }
  if (phnum > kElfMaxProgramHeaders) {
    return elf_error(fmt::format("{} program headers (at most {} supported)", phnum, kElfMaxProgramHeaders));
  }
  const uint64_t ph_bytes = uint64_t{phnum} * phentsize;
  if (!range_within(phoff, ph_bytes, size)) {
    return elf_error(fmt::format("program headers at {:#x} ({} bytes) extend past the end of the file ({} bytes)",
                                 phoff, ph_bytes, size));
  }

  for (unsigned i = 0; i < phnum; ++i) {
    Phdr ph = read_phdr(file, phoff + uint64_t{i} * phentsize, out.elf_class);
    if (ph.type == PT_INTERP) return elf_error(fmt::format("segment {}: PT_INTERP: dynamically linked images are not supported", i));
    if (ph.type == PT_DYNAMIC) return elf_error(fmt::format("segment {}: PT_DYNAMIC: link the image statically", i));
    if (ph.type != PT_LOAD && ph.type != PT_NOTE) continue;
    if (!range_within(ph.offset, ph.filesz, size)) {
      auto end = checked_add(ph.offset, ph.filesz);
      return elf_error(end ? fmt::format("segment {}: file range [{:#x}, {:#x}) extends past the end of the file ({} bytes)",
                                         i, ph.offset, *end, size)
                           : fmt::format("segment {}: file offset {:#x} + size {:#x} overflows", i, ph.offset, ph.filesz));
    }
    if (ph.type == PT_NOTE) {
      VMM_TRY(parse_notes(file, ph, i, out));
      continue;
    }
    if (ph.filesz > ph.memsz) {
      return elf_error(fmt::format("segment {}: file size {:#x} exceeds memory size {:#x}", i, ph.filesz, ph.memsz));
    }
    if (ph.memsz == 0) continue;  // empty segments are legal and load nothing
    if (!checked_add(ph.paddr, ph.memsz) || !checked_add(ph.vaddr, ph.memsz)) {
      return elf_error(fmt::format("segment {}: memory range at {:#x} of {:#x} bytes overflows", i, ph.paddr, ph.memsz));
    }
    if (out.elf_class == 32 && ph.paddr + ph.memsz > (1ull << 32)) {
      return elf_error(fmt::format("segment {}: [{:#x}, {:#x}) does not fit in 32 bits", i, ph.paddr, ph.paddr + ph.memsz));
    }
    out.loads.push_back({i, ph.paddr, ph.vaddr, ph.offset, ph.filesz, ph.memsz, ph.flags});
  }
  if (out.loads.empty()) return elf_error("no loadable segment (PT_LOAD with a non-zero size)");

  // Segments may come in any order; they must not overlap in physical memory.
  std::vector<const ElfSegment*> sorted;
  for (const auto& s : out.loads) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->paddr < b->paddr; });
  for (size_t k = 1; k < sorted.size(); ++k) {
    const ElfSegment& a = *sorted[k - 1];
    const ElfSegment& b = *sorted[k];
    if (a.paddr + a.mem_size > b.paddr) {
      return elf_error(fmt::format("segments {} [{:#x}, {:#x}) and {} [{:#x}, {:#x}) overlap", a.index, a.paddr,
                                   a.paddr + a.mem_size, b.index, b.paddr, b.paddr + b.mem_size));
    }
  }
  out.load_start = sorted.front()->paddr;
  out.load_end = sorted.back()->paddr + sorted.back()->mem_size;
  return out;
}

}  // namespace vmm
