#include "boot/linux/linux64_protocol.h"

#include <fmt/format.h>

#include "arch/x86_64/layout.h"
#include "arch/x86_64/memory_map.h"
#include "arch/x86_64/page_tables.h"
#include "boot/linux/zero_page.h"
#include "loader/image_internals.h"

namespace vmm::linux64 {

using namespace x86::standard;

Result<standard_boot::ImagePlacement> Linux64BootDriver::placement(const ImageInternals& image) const {
  if (image.elf.elf_class != 64) {
    return Error(fmt::format("{}: the image must be ELF64 (ELF32 images boot with multiboot or PVH)", label()));
  }
  // boot.rst: the kernel is entered at its 64-bit entry point, which must be loaded.
  return elf_placement(image.elf, image.elf.entry, "entry point");
}

Result<uint64_t> Linux64BootDriver::write_tables(const GuestMemory& mem, const MachineLayout& layout) const {
  // boot.rst: "the range with setup_header.init_size from start address of loaded kernel
  // and zero page and command line buffer get ident mapping": all of [0, 4 GiB), 2 MiB
  // pages, kernel-only, so the MP and ACPI tables, the LAPIC and any initrd are mapped too.
  const x86::PageMapping all{0, kIdentityMapped, {true, false, true, false}};
  const x86::PageTables tables = VMM_TRY(x86::build_identity_page_tables(mem, kPageTables, kPageTablesEnd, {&all, 1}));
  VMM_TRY(mem.write(kZeroPage, make_zero_page(x86::standard_memory_map(layout.ram_size))));
  return tables.cr3;
}

Result<void> Linux64BootDriver::write_instance(const GuestMemory& mem, uint64_t cmdline_length,
                                               const standard_boot::InitrdPlacement& initrd) const {
  return write_zero_page_instance(mem, kZeroPage, cmdline_length, initrd);
}

uint64_t Linux64BootDriver::boot_data() const { return kZeroPage; }

x86::EntryState Linux64BootDriver::entry_registers(uint64_t boot_data) const {
  // boot.rst 64-bit protocol: %rsi holds the base address of struct boot_params.
  x86::EntryState s;
  s.rsi = boot_data;
  return s;
}

}  // namespace vmm::linux64
