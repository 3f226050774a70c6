#include "boot/linux/zero_page.h"

#include <cstddef>

#include "arch/x86_64/layout.h"

namespace vmm::linux64 {
namespace {

constexpr uint16_t kBootFlag = 0xaa55;
constexpr uint32_t kHeaderMagic = 0x53726448;  // "HdrS"
constexpr uint8_t kLoaderUndefined = 0xff;
constexpr uint32_t kKernelAlignment = 0x1000000;

constexpr uint64_t header_field(size_t offset_in_header) { return offsetof(boot_params, hdr) + offset_in_header; }

}  // namespace

boot_params make_zero_page(std::span<const x86::MemoryRange> memory_map) {
  boot_params bp{};
  bp.hdr.boot_flag = kBootFlag;
  bp.hdr.header = kHeaderMagic;
  bp.hdr.type_of_loader = kLoaderUndefined;
  bp.hdr.loadflags = LOADED_HIGH;
  bp.hdr.kernel_alignment = kKernelAlignment;
  bp.hdr.cmd_line_ptr = static_cast<uint32_t>(x86::standard::kCmdline);
  bp.acpi_rsdp_addr = x86::standard::kRsdp;
  for (const x86::MemoryRange& r : memory_map) {
    if (bp.e820_entries == E820_MAX_ENTRIES_ZEROPAGE) break;  // the standard map has 4 entries
    bp.e820_table[bp.e820_entries++] = {r.addr, r.size, static_cast<uint32_t>(r.type)};
  }
  return bp;
}

Result<void> write_zero_page_instance(const GuestMemory& mem, uint64_t gpa, uint64_t cmdline_length,
                                      const standard_boot::InitrdPlacement& initrd) {
  const auto cmdline_size = static_cast<uint32_t>(cmdline_length + 1);
  VMM_TRY(mem.write(gpa + header_field(offsetof(setup_header, cmdline_size)), cmdline_size));
  // ramdisk_image is 32 bits: the initrd always lies below the MMIO gap at 3 GiB.
  VMM_TRY(mem.write(gpa + header_field(offsetof(setup_header, ramdisk_image)), static_cast<uint32_t>(initrd.gpa)));
  return mem.write(gpa + header_field(offsetof(setup_header, ramdisk_size)), static_cast<uint32_t>(initrd.size));
}

}  // namespace vmm::linux64
