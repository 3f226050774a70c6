// Multiboot 0.6.96 (the protocol QEMU's -kernel speaks for ELF32 images): the image is
// loaded as its multiboot header says (section 3.1) and entered in 32-bit protected mode
// without paging, EAX = 0x2BADB002, EBX = the multiboot information (section 3.2).
#pragma once

#include "boot/standard/standard_driver.h"

namespace vmm::multiboot {

class MultibootBootDriver final : public standard_boot::StandardBootDriver {
 public:
  BootProtocol protocol() const override { return BootProtocol::Multiboot; }

 protected:
  const char* label() const override { return "multiboot"; }
  x86::SegmentKind code_segment() const override { return x86::SegmentKind::Code32; }
  // A valid header; its addresses (flag 16) or the ELF's segments.
  Result<standard_boot::ImagePlacement> placement(const ImageInternals& image) const override;
  // Multiboot information with memory fields, memory map and boot loader name.
  Result<uint64_t> write_tables(const GuestMemory& mem, const MachineLayout& layout) const override;
  // The initrd as the one module.
  Result<void> write_instance(const GuestMemory& mem, uint64_t cmdline_length,
                              const standard_boot::InitrdPlacement& initrd) const override;
  uint64_t boot_data() const override;
  x86::EntryState entry_registers(uint64_t boot_data) const override;
};

}  // namespace vmm::multiboot
