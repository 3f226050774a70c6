#include "elf_builder.h"

#include <cstring>

namespace vmm::test {

ElfBuilder::ElfBuilder(unsigned elf_class) : class_(elf_class) {}

ElfBuilder& ElfBuilder::note(const std::string& name, uint32_t type, std::vector<std::byte> desc) {
  std::vector<std::byte> bytes;
  auto put32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::byte>(v >> (8 * i)));
  };
  put32(static_cast<uint32_t>(name.size() + 1));
  put32(static_cast<uint32_t>(desc.size()));
  put32(type);
  for (char c : name) bytes.push_back(static_cast<std::byte>(c));
  bytes.push_back(std::byte{0});
  while (bytes.size() % 4) bytes.push_back(std::byte{0});
  bytes.insert(bytes.end(), desc.begin(), desc.end());
  while (bytes.size() % 4) bytes.push_back(std::byte{0});
  SegmentSpec s;
  s.type = PT_NOTE;
  s.flags = PF_R;
  s.paddr = s.vaddr = 0;
  s.filesz = s.memsz = bytes.size();
  s.align = 4;
  s.content = std::move(bytes);
  segments_.push_back(std::move(s));
  return *this;
}

ElfBuilder& ElfBuilder::lean_note(uint32_t abi_version) {
  std::vector<std::byte> desc(8, std::byte{0});
  std::memcpy(desc.data(), &abi_version, 4);
  return note("libvmm", 0x4c454e31, std::move(desc));
}

size_t ElfBuilder::phdr_offset(size_t index) const {
  size_t ehdr = class_ == 64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  size_t phent = class_ == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  return ehdr + index * phent;
}

void poke(std::vector<std::byte>& file, size_t offset, uint64_t value, size_t size) {
  for (size_t i = 0; i < size; ++i) file.at(offset + i) = static_cast<std::byte>(value >> (8 * i));
}

std::vector<std::byte> ElfBuilder::build() const {
  const size_t ehdr = class_ == 64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  const size_t phent = class_ == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  size_t cursor = ehdr + phent * segments_.size();
  std::vector<SegmentSpec> segs = segments_;
  for (auto& s : segs) {
    if (s.offset == 0) {
      cursor = (cursor + 15) & ~size_t{15};
      s.offset = cursor;
      cursor += s.content.empty() ? s.filesz : std::max<size_t>(s.filesz, s.content.size());
    }
  }
  size_t file_size = cursor;
  for (const auto& s : segs) file_size = std::max<size_t>(file_size, s.offset + (s.content.empty() ? s.filesz : s.content.size()));
  std::vector<std::byte> file(file_size, std::byte{0});

  unsigned char ident[EI_NIDENT] = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
                                    static_cast<unsigned char>(class_ == 64 ? ELFCLASS64 : ELFCLASS32),
                                    ELFDATA2LSB, EV_CURRENT};
  if (class_ == 64) {
    Elf64_Ehdr h{};
    std::memcpy(h.e_ident, ident, EI_NIDENT);
    h.e_type = ET_EXEC, h.e_machine = EM_X86_64, h.e_version = EV_CURRENT, h.e_entry = entry_;
    h.e_phoff = ehdr, h.e_ehsize = static_cast<uint16_t>(ehdr), h.e_phentsize = static_cast<uint16_t>(phent);
    h.e_phnum = static_cast<uint16_t>(segs.size());
    std::memcpy(file.data(), &h, sizeof h);
  } else {
    Elf32_Ehdr h{};
    std::memcpy(h.e_ident, ident, EI_NIDENT);
    h.e_type = ET_EXEC, h.e_machine = EM_386, h.e_version = EV_CURRENT, h.e_entry = static_cast<uint32_t>(entry_);
    h.e_phoff = static_cast<uint32_t>(ehdr), h.e_ehsize = static_cast<uint16_t>(ehdr);
    h.e_phentsize = static_cast<uint16_t>(phent), h.e_phnum = static_cast<uint16_t>(segs.size());
    std::memcpy(file.data(), &h, sizeof h);
  }
  for (size_t i = 0; i < segs.size(); ++i) {
    const SegmentSpec& s = segs[i];
    if (class_ == 64) {
      Elf64_Phdr p{s.type, s.flags, s.offset, s.vaddr, s.paddr, s.filesz, s.memsz, s.align};
      std::memcpy(file.data() + phdr_offset(i), &p, sizeof p);
    } else {
      Elf32_Phdr p{s.type, static_cast<uint32_t>(s.offset), static_cast<uint32_t>(s.vaddr),
                   static_cast<uint32_t>(s.paddr), static_cast<uint32_t>(s.filesz), static_cast<uint32_t>(s.memsz),
                   s.flags, static_cast<uint32_t>(s.align)};
      std::memcpy(file.data() + phdr_offset(i), &p, sizeof p);
    }
    if (!s.content.empty()) std::memcpy(file.data() + s.offset, s.content.data(), s.content.size());
  }
  return file;
}

}  // namespace vmm::test
