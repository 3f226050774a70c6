// struct boot_params (the "zero page", Documentation/arch/x86/zero-page.rst) for a kernel
// entered through the 64-bit boot protocol (boot.rst, "64-bit Boot Protocol"). An ELF
// kernel has no setup header to copy, so the loader fills the fields a 64-bit entry
// reads (boot.rst "Details of Header Fields"; values as Firecracker sets them):
//   boot_flag      0xAA55, header "HdrS"     marks the setup header as present
//   type_of_loader 0xff                      "undefined" boot loader
//   loadflags      LOADED_HIGH               the kernel sits at or above 1 MiB
//   kernel_alignment 0x1000000               Firecracker's value (must be non-zero)
//   cmd_line_ptr   kCmdline (0x20000)        NUL-terminated command line
//   cmdline_size   strlen(cmdline) + 1       per instance; Unikraft reads it as the length
//   ramdisk_image, ramdisk_size              per instance; initrd placement (0 = none)
//   e820_entries, e820_table                 the standard memory map
//   acpi_rsdp_addr kRsdp (0xe0000)           the ACPI root pointer, as Firecracker sets it
// version, setup_data, hardware_subarch (PC) and the rest stay zero;
// so does the sentinel byte, so the kernel's sanitize_boot_params() keeps the fields.
#pragma once

#include <asm/bootparam.h>

#include <cstdint>
#include <span>

#include "arch/x86_64/memory_map.h"
#include "boot/standard/initrd.h"
#include "vmm/guest_memory.h"
#include "vmm/result.h"

namespace vmm::linux64 {

// The instance-independent zero page: header constants and the e820 map.
boot_params make_zero_page(std::span<const x86::MemoryRange> memory_map);

// Patches the per-instance fields of the zero page at `gpa`: cmdline_size and the
// initrd's ramdisk_image/ramdisk_size.
Result<void> write_zero_page_instance(const GuestMemory& mem, uint64_t gpa, uint64_t cmdline_length,
                                      const standard_boot::InitrdPlacement& initrd);

}  // namespace vmm::linux64
