#include "boot/pvh/pvh_protocol.h"

#include <cstring>

#include <fmt/format.h>

#include "arch/x86_64/layout.h"
#include "arch/x86_64/memory_map.h"
#include "boot/pvh/start_info.h"
#include "loader/image_internals.h"

namespace vmm::pvh {

using namespace x86::standard;

Result<uint32_t> PvhBootDriver::phys32_entry(const ImageInternals& image) {
  const ElfNote* note = image.elf.find_note("Xen", kXenElfNotePhys32Entry);
  if (note == nullptr) return Error("PVH: the image has no XEN_ELFNOTE_PHYS32_ENTRY note (Xen, type 18)");
  // Xen's elfnote.h: the entry is a 32-bit physical address; Linux stores it as a pointer-
  // sized value, so accept 4 or 8 bytes with the upper half zero.
  if (note->desc_size != 4 && note->desc_size != 8) {
    return Error(fmt::format("PVH: XEN_ELFNOTE_PHYS32_ENTRY has {} bytes (expected 4 or 8)", note->desc_size));
  }
  uint64_t value = 0;
  std::memcpy(&value, image.bytes.data() + note->desc_offset, note->desc_size);  // range checked by parse_elf
  if (value > UINT32_MAX) {
    return Error(fmt::format("PVH: XEN_ELFNOTE_PHYS32_ENTRY {:#x} is not a 32-bit address", value));
  }
  return static_cast<uint32_t>(value);
}

Result<standard_boot::ImagePlacement> PvhBootDriver::placement(const ImageInternals& image) const {
  return elf_placement(image.elf, VMM_TRY(phys32_entry(image)), "XEN_ELFNOTE_PHYS32_ENTRY");
}

Result<uint64_t> PvhBootDriver::write_tables(const GuestMemory& mem, const MachineLayout& layout) const {
  const auto map = x86::standard_memory_map(layout.ram_size);
  static_assert(4 <= kMemmapMax);
  for (size_t i = 0; i < map.size(); ++i) {
    VMM_TRY(mem.write(kMemmap + i * sizeof(hvm_memmap_table_entry),
                      hvm_memmap_table_entry{map[i].addr, map[i].size, static_cast<uint32_t>(map[i].type), 0}));
  }
  hvm_start_info info{};
  info.magic = kStartInfoMagic;
  info.version = kStartInfoVersion;
  info.modlist_paddr = kPvhModlist;
  info.cmdline_paddr = kCmdline;
  info.rsdp_paddr = kRsdp;
  info.memmap_paddr = kMemmap;
  info.memmap_entries = static_cast<uint32_t>(map.size());
  VMM_TRY(mem.write(kPvhStartInfo, info));
  return uint64_t{0};  // no paging at entry
}

Result<void> PvhBootDriver::write_instance(const GuestMemory& mem, uint64_t,
                                           const standard_boot::InitrdPlacement& initrd) const {
  if (initrd.size == 0) return {};
  VMM_TRY(mem.write(kPvhModlist, hvm_modlist_entry{initrd.gpa, initrd.size, 0, 0}));
  return mem.write<uint32_t>(kPvhStartInfo + offsetof(hvm_start_info, nr_modules), 1);
}

uint64_t PvhBootDriver::boot_data() const { return kPvhStartInfo; }

x86::EntryState PvhBootDriver::entry_registers(uint64_t boot_data) const {
  // pvh.pandoc: EBX = start_info; CR0.PE only, CR4 = 0; flat 32-bit CS/DS/ES/SS; TR a
  // 32-bit TSS (base 0, limit 0x67); EFLAGS.IF/TF/VM clear (set_entry_state).
  x86::EntryState s;
  s.rbx = boot_data;
  return s;
}

}  // namespace vmm::pvh
