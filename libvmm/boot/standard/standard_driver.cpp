#include "boot/standard/standard_driver.h"

#include <algorithm>

#include <fmt/format.h>

#include "arch/x86_64/acpi_tables.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/memory_map.h"
#include "arch/x86_64/mptable.h"
#include "core/checked_math.h"
#include "loader/image_internals.h"

namespace vmm::standard_boot {

using namespace x86::standard;

Result<void> StandardBootDriver::validate_image(const ImageInternals& image) const {
  const ImagePlacement p = VMM_TRY(placement(image));
  return check_segments(p.segments, kMmioGap, "the MMIO gap");
}

Result<std::shared_ptr<const BootTemplate>> StandardBootDriver::build_template(const ImageInternals& image,
                                                                               const MachineLayout& layout) const {
  VMM_TRY(check_layout(layout));
  const ImagePlacement p = VMM_TRY(placement(image));
  VMM_TRY(check_segments(p.segments, x86::low_ram_end(layout.ram_size),
                         fmt::format("the end of guest RAM ({} MiB)", layout.ram_size >> 20)));
  const uint64_t size = std::max(align_up(p.end, x86::kPageSize), kHighMemory);
  TemplateBuilder builder = VMM_TRY(TemplateBuilder::create("vmm-standard-template", size));
  const GuestMemory& mem = builder.memory();
  VMM_TRY(x86::write_standard_gdt(mem, code_segment()));
  VMM_TRY(x86::write_mptable(mem, kMpTable, layout.vcpu_count));
  VMM_TRY(x86::write_acpi_tables(mem, kRsdp, kAcpiTables, layout.vcpu_count));
  const uint64_t cr3 = VMM_TRY(write_tables(mem, layout));
  ElfFile planned;
  planned.loads = p.segments;
  VMM_TRY(builder.load_segments(image.bytes, planned));
  auto t = VMM_TRY(builder.finish());
  t->cr3 = cr3;
  t->entry = p.entry;
  return std::shared_ptr<const BootTemplate>(std::move(t));
}

Result<EntryArgs> StandardBootDriver::write_boot_params(const GuestMemory& mem, const ImageInternals& image,
                                                        const BootTemplate&, const MachineLayout& layout,
                                                        const BootParams& params) const {
  if (params.cmdline.size() > kCmdlineMax) {
    return Error(fmt::format("{}: the command line is {} bytes; at most {} fit", label(), params.cmdline.size(),
                             kCmdlineMax));
  }
  if (params.cmdline.find('\0') != std::string_view::npos) {
    return Error(fmt::format("{}: the command line contains a NUL byte", label()));
  }
  VMM_TRY(mem.write_bytes(kCmdline, std::as_bytes(std::span(params.cmdline))));
  VMM_TRY(mem.write<uint8_t>(kCmdline + params.cmdline.size(), 0));
  const ImagePlacement p = VMM_TRY(placement(image));
  const InitrdPlacement initrd = VMM_TRY(load_initrd(mem, params.initrd_path, p.end, layout.ram_size));
  VMM_TRY(write_instance(mem, params.cmdline.size(), initrd));
  return EntryArgs{kBootStack, boot_data()};
}

Result<void> StandardBootDriver::setup_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl,
                                            const MachineLayout& layout, const EntryArgs& entry) const {
  VMM_TRY(setup_secondary_vcpu(vcpu, kvm, tmpl, layout));
  x86::EntryState s = entry_registers(entry.boot_data);
  s.mode = code_segment() == x86::SegmentKind::Code64 ? x86::EntryMode::Long64 : x86::EntryMode::Protected32;
  s.rip = tmpl.entry;
  s.rsp = entry.stack_pointer;
  s.cr3 = tmpl.cr3;
  return x86::set_entry_state(vcpu, s);
}

Result<void> StandardBootDriver::setup_secondary_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate&,
                                                      const MachineLayout& layout) const {
  const bool has_lapic = VMM_TRY(x86::configure_lapic_lints(vcpu));
  return x86::set_standard_cpuid(vcpu, kvm, layout.vcpu_count, has_lapic);
}

size_t StandardBootDriver::max_cmdline() const { return kCmdlineMax; }

Result<ImagePlacement> StandardBootDriver::elf_placement(const ElfFile& elf, uint64_t entry,
                                                        const char* entry_name) const {
  const bool inside = std::any_of(elf.loads.begin(), elf.loads.end(), [entry](const ElfSegment& s) {
    return entry >= s.paddr && entry - s.paddr < s.mem_size;
  });
  if (!inside) {
    return Error(fmt::format("{}: {} {:#x} points outside the loaded segments [{:#x}, {:#x})", label(), entry_name,
                             entry, elf.load_start, elf.load_end));
  }
  return ImagePlacement{elf.loads, entry, elf.load_end};
}

Result<void> StandardBootDriver::check_layout(const MachineLayout& layout) const {
  VMM_TRY(x86::check_standard_ram(layout.ram_size, label()));
  if (layout.vcpu_count == 0 || layout.vcpu_count > kMaxVcpus) {
    return Error(fmt::format("{}: {} vCPUs requested; the MP table describes 1 to {}", label(), layout.vcpu_count,
                             kMaxVcpus));
  }
  return {};
}

Result<void> StandardBootDriver::check_segments(std::span<const ElfSegment> segments, uint64_t limit,
                                                const std::string& limit_name) const {
  for (const ElfSegment& s : segments) {
    const uint64_t end = s.paddr + s.mem_size;  // parse_elf and the multiboot header checks rule out overflow
    if (s.paddr < kHighMemory) {
      return Error(fmt::format("{}: segment {} at [{:#x}, {:#x}) overlaps the boot area below {:#x}", label(), s.index,
                               s.paddr, end, kHighMemory));
    }
    if (end > limit) {
      return Error(fmt::format("{}: segment {} at [{:#x}, {:#x}) extends past {} at {:#x}", label(), s.index, s.paddr,
                               end, limit_name, limit));
    }
  }
  return {};
}

}  // namespace vmm::standard_boot
