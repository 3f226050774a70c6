// Builds small ELF files in memory for loader tests: a valid image by default, then the
// test breaks exactly one field. ELF64 or ELF32, little-endian.
#pragma once

#include <elf.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vmm::test {

struct SegmentSpec {
  uint32_t type = PT_LOAD;
  uint32_t flags = PF_R | PF_X;
  uint64_t paddr = 0x100000;
  uint64_t vaddr = 0x100000;
  uint64_t offset = 0;    // 0: place after the headers automatically
  uint64_t filesz = 0x100;
  uint64_t memsz = 0x100;
  uint64_t align = 0x1000;
  std::vector<std::byte> content;  // file bytes (padded/truncated to filesz)
};

class ElfBuilder {
 public:
  explicit ElfBuilder(unsigned elf_class = 64);
  ElfBuilder& entry(uint64_t e) { entry_ = e; return *this; }
  ElfBuilder& segment(SegmentSpec s) { segments_.push_back(std::move(s)); return *this; }
  // A PT_NOTE segment holding one note.
  ElfBuilder& note(const std::string& name, uint32_t type, std::vector<std::byte> desc);
  // The libvmm lean-ABI note with the given version.
  ElfBuilder& lean_note(uint32_t abi_version = 1);
  std::vector<std::byte> build() const;

  // Field offsets for tests that corrupt a built file.
  size_t phdr_offset(size_t index) const;
  unsigned elf_class() const { return class_; }

 private:
  unsigned class_;
  uint64_t entry_ = 0x100000;
  std::vector<SegmentSpec> segments_;
};

// Writes `value` (little-endian, `size` bytes) at `offset`.
void poke(std::vector<std::byte>& file, size_t offset, uint64_t value, size_t size);

}  // namespace vmm::test
