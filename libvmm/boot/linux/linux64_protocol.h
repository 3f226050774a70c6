// Linux x86 64-bit boot protocol (Documentation/arch/x86/boot.rst, "64-bit Boot
// Protocol"; zero-page.rst): the ELF is loaded at its physical addresses and entered at
// e_entry in 64-bit mode at CPL0, RSI = boot_params (the zero page), what Firecracker
// does for vmlinux and for Unikraft images built for it.
#pragma once

#include "boot/standard/standard_driver.h"

namespace vmm::linux64 {

class Linux64BootDriver final : public standard_boot::StandardBootDriver {
 public:
  BootProtocol protocol() const override { return BootProtocol::Linux64; }

 protected:
  const char* label() const override { return "Linux 64-bit protocol"; }
  x86::SegmentKind code_segment() const override { return x86::SegmentKind::Code64; }
  // ELF64 only; e_entry inside a segment.
  Result<standard_boot::ImagePlacement> placement(const ImageInternals& image) const override;
  // Identity page tables for [0, 4 GiB) and the zero page with the e820 map.
  Result<uint64_t> write_tables(const GuestMemory& mem, const MachineLayout& layout) const override;
  // cmdline_size, ramdisk_image, ramdisk_size.
  Result<void> write_instance(const GuestMemory& mem, uint64_t cmdline_length,
                              const standard_boot::InitrdPlacement& initrd) const override;
  uint64_t boot_data() const override;
  x86::EntryState entry_registers(uint64_t boot_data) const override;
};

}  // namespace vmm::linux64
