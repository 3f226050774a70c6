// What the three standard boot protocols (Linux 64-bit, PVH, multiboot) share, as a
// template method: the image placement is checked against the boot area, the MMIO gap and
// RAM; the template holds the GDT, MP and ACPI tables plus the protocol's own tables and
// the image; per instance come the command line, the initrd and the protocol's fields
// that describe them; every vCPU runs from the start (the boot vCPU at the protocol's
// entry, the others waiting in the in-kernel LAPIC for INIT/SIPI, as on a PC).
// A protocol supplies the hooks below.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "arch/x86_64/boot_cpu.h"
#include "boot/boot_protocol.h"
#include "boot/boot_template.h"
#include "boot/standard/initrd.h"
#include "loader/elf.h"

namespace vmm::standard_boot {

// Where a standard image goes: segments (file bytes, then zeros to mem_size), the
// guest-physical entry point, one past the last byte loaded or zeroed.
struct ImagePlacement {
  std::vector<ElfSegment> segments;
  uint64_t entry = 0;
  uint64_t end = 0;
};

class StandardBootDriver : public BootDriver {
 public:
  // placement(), then every segment in [1 MiB, 3 GiB).
  Result<void> validate_image(const ImageInternals& image) const final;
  // RAM size and vCPU count checked, segments inside RAM; GDT, MP and ACPI tables,
  // write_tables(), the image.
  Result<std::shared_ptr<const BootTemplate>> build_template(const ImageInternals& image,
                                                             const MachineLayout& layout) const final;
  // Command line at kCmdline, the initrd at the top of RAM, write_instance().
  Result<EntryArgs> write_boot_params(const GuestMemory& mem, const ImageInternals& image, const BootTemplate& tmpl,
                                      const MachineLayout& layout, const BootParams& params) const final;
  // CPUID, LAPIC LINT pins, then the entry state: code_segment()'s mode at tmpl.entry,
  // the template's page tables, entry_registers().
  Result<void> setup_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl, const MachineLayout& layout,
                          const EntryArgs& entry) const final;
  // CPUID and LAPIC LINT pins; the registers are the AP's INIT state until its SIPI.
  Result<void> setup_secondary_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl,
                                    const MachineLayout& layout) const final;
  size_t max_cmdline() const final;
  bool starts_all_vcpus() const final { return true; }

 protected:
  // "Linux 64-bit protocol", "PVH", "multiboot": prefixes every error.
  virtual const char* label() const = 0;
  // Code64: entered in 64-bit mode with identity page tables; Code32: in 32-bit protected
  // mode without paging.
  virtual x86::SegmentKind code_segment() const = 0;
  // The image's placement and entry point, or an error naming the protocol's defect.
  virtual Result<ImagePlacement> placement(const ImageInternals& image) const = 0;
  // The protocol's instance-independent boot structures; returns CR3 (0 without paging).
  virtual Result<uint64_t> write_tables(const GuestMemory& mem, const MachineLayout& layout) const = 0;
  // The protocol's fields describing this instance's command line and initrd.
  virtual Result<void> write_instance(const GuestMemory& mem, uint64_t cmdline_length,
                                      const InitrdPlacement& initrd) const = 0;
  // The guest-physical address handed over at entry (zero page, start_info, ...).
  virtual uint64_t boot_data() const = 0;
  // The protocol's general registers at entry (RSI, EBX, EAX...).
  virtual x86::EntryState entry_registers(uint64_t boot_data) const = 0;

  // For placement(): the ELF's segments, entered at `entry`, which must lie inside one;
  // `entry_name` names it in the error ("entry point", "XEN_ELFNOTE_PHYS32_ENTRY").
  Result<ImagePlacement> elf_placement(const ElfFile& elf, uint64_t entry, const char* entry_name) const;

 private:
  Result<void> check_layout(const MachineLayout& layout) const;
  Result<void> check_segments(std::span<const ElfSegment> segments, uint64_t limit,
                              const std::string& limit_name) const;
};

}  // namespace vmm::standard_boot
