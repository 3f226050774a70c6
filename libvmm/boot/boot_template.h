// TemplateBuilder: writes a boot template into a fresh memfd through a shared mapping,
// then seals it (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL). Pages never
// written stay holes: a template of a few MiB costs only the pages it holds.
#pragma once

#include <memory>
#include <span>

#include "boot/boot_protocol.h"
#include "loader/elf.h"
#include "vmm/guest_memory.h"
#include "vmm/mapping.h"

namespace vmm {

class TemplateBuilder {
 public:
  static Result<TemplateBuilder> create(const char* name, uint64_t size);

  const GuestMemory& memory() const { return memory_; }
  // Copies every PT_LOAD's file bytes to its paddr (BSS stays zero).
  Result<void> load_segments(std::span<const std::byte> file, const ElfFile& elf);
  // Seals the memfd and hands it over with the protocol values filled by the caller.
  Result<std::shared_ptr<BootTemplate>> finish();

 private:
  TemplateBuilder(UniqueFd fd, Mapping map, uint64_t size);
  UniqueFd fd_;
  Mapping map_;
  uint64_t size_ = 0;
  GuestMemory memory_;
};

}  // namespace vmm
