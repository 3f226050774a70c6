// GuestRam: one instance's guest RAM. An anonymous MAP_NORESERVE mapping of the whole
// size, with the boot template's memfd mapped MAP_PRIVATE over its start: template pages
// are shared with every other instance until this guest (or the VMM) writes one.
// Mappings (VMAs) per instance: two (template, anonymous rest). MADV_DONTFORK keeps the
// RAM out of children of an embedder that forks; MADV_(NO)HUGEPAGE fixes the page size
// whatever the host's THP default.
#pragma once

#include <cstdint>

#include "boot/boot_protocol.h"
#include "vmm/guest_memory.h"
#include "vmm/mapping.h"

namespace vmm {

class GuestRam {
 public:
  GuestRam() = default;
  // huge_pages: MADV_HUGEPAGE, else MADV_NOHUGEPAGE (InstanceConfig::huge_pages).
  static Result<GuestRam> create(uint64_t size, const BootTemplate& tmpl, bool huge_pages);

  std::byte* host() const { return map_.bytes(); }
  uint64_t size() const { return map_.size(); }
  GuestMemory memory() const { return GuestMemory(map_.bytes(), map_.size()); }
  // Pages of the mapping present in this process's page tables (/proc/self/pagemap).
  Result<uint64_t> resident_pages() const;

 private:
  explicit GuestRam(Mapping map) : map_(std::move(map)) {}
  Mapping map_;
};

}  // namespace vmm
