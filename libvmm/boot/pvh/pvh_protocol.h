// Xen PVH boot (docs/misc/pvh.pandoc): the ELF is loaded at its physical addresses and
// entered at the 32-bit physical address of its XEN_ELFNOTE_PHYS32_ENTRY note, in 32-bit
// protected mode without paging, EBX = hvm_start_info. QEMU, Cloud Hypervisor and
// Firecracker boot Linux and unikernels this way.
#pragma once

#include "boot/standard/standard_driver.h"

namespace vmm::pvh {

class PvhBootDriver final : public standard_boot::StandardBootDriver {
 public:
  BootProtocol protocol() const override { return BootProtocol::Pvh; }

  // The entry point the image's note gives, or an error naming the defect.
  static Result<uint32_t> phys32_entry(const ImageInternals& image);

 protected:
  const char* label() const override { return "PVH"; }
  x86::SegmentKind code_segment() const override { return x86::SegmentKind::Code32; }
  // The note present, 4 or 8 bytes, a 32-bit address inside a segment.
  Result<standard_boot::ImagePlacement> placement(const ImageInternals& image) const override;
  // hvm_start_info (version 1) with the memory map.
  Result<uint64_t> write_tables(const GuestMemory& mem, const MachineLayout& layout) const override;
  // The initrd as module 0.
  Result<void> write_instance(const GuestMemory& mem, uint64_t cmdline_length,
                              const standard_boot::InitrdPlacement& initrd) const override;
  uint64_t boot_data() const override;
  x86::EntryState entry_registers(uint64_t boot_data) const override;
};

}  // namespace vmm::pvh
