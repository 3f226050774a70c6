#include "boot/linux/linux64_protocol.h"

#include <asm/bootparam.h>

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "arch/x86_64/cpu_bits.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/page_tables.h"
#include "boot/boot_template.h"
#include "core/checked_math.h"
#include "loader/image_internals.h"

namespace vmm::linux64 {
namespace {

using namespace vmm::x86;

// Firecracker's values where images may depend on them (arch/src/x86_64/layout.rs).
constexpr uint64_t kGdt = 0x500;
constexpr uint64_t kIdt = 0x520;
constexpr uint64_t kZeroPage = 0x7000;
constexpr uint64_t kBootStack = 0x8ff0;
constexpr uint64_t kPageTables = 0x9000;
constexpr uint64_t kPageTablesEnd = 0x10000;
constexpr uint64_t kCmdline = 0x20000;
constexpr uint64_t kCmdlineMax = 0x10000 - 1;
constexpr uint64_t kEbdaStart = 0x9fc00;
constexpr uint64_t kHighMemory = 0x100000;
constexpr uint64_t kMmioGapStart = 0xd0000000;
constexpr uint64_t kIdentityMapped = 4ull << 30;
// boot.rst: __BOOT_CS = 0x10, __BOOT_DS = 0x18.
constexpr uint16_t kBootCs = 0x10;
constexpr uint16_t kBootDs = 0x18;
constexpr uint32_t kE820Ram = 1;  // zero-page.rst: E820_TYPE_RAM

}  // namespace

Result<void> Linux64BootDriver::validate_image(const ImageInternals& image) const {
  const ElfFile& elf = image.elf;
  if (elf.elf_class != 64) return Error("Linux 64-bit protocol: the image must be ELF64");
  for (const ElfSegment& s : elf.loads) {
    if (s.paddr < kHighMemory) {
      return Error(fmt::format("Linux 64-bit protocol: segment {} at [{:#x}, {:#x}) overlaps the boot area below {:#x}",
                               s.index, s.paddr, s.paddr + s.mem_size, kHighMemory));
    }
  }
  if (elf.entry < elf.load_start || elf.entry >= elf.load_end) {
    return Error(fmt::format("Linux 64-bit protocol: entry point {:#x} is outside the loaded image [{:#x}, {:#x})",
                             elf.entry, elf.load_start, elf.load_end));
  }
  return {};
}

Result<std::shared_ptr<const BootTemplate>> Linux64BootDriver::build_template(const ImageInternals& image,
                                                                              const MachineLayout& layout) const {
  const uint64_t ram = layout.ram_size;
  if (ram < (2ull << 20) || ram > kMmioGapStart || ram % kPageSize != 0) {
    return Error(fmt::format("Linux 64-bit protocol: guest RAM must be a multiple of 4 KiB between 2 MiB and {} MiB, "
                             "not {} bytes", kMmioGapStart >> 20, ram));
  }
  if (image.elf.load_end > ram) {
    return Error(fmt::format("Linux 64-bit protocol: image [{:#x}, {:#x}) does not fit in {} MiB of RAM",
                             image.elf.load_start, image.elf.load_end, ram >> 20));
  }
  const uint64_t size = std::max(align_up(image.elf.load_end, kPageSize), kHighMemory);
  TemplateBuilder builder = VMM_TRY(TemplateBuilder::create("vmm-linux64-template", size));
  const GuestMemory& mem = builder.memory();

  std::array<uint64_t, 4> gdt{};
  gdt[kBootCs / 8] = flat_segment_descriptor(SegmentKind::Code64, 0);
  gdt[kBootDs / 8] = flat_segment_descriptor(SegmentKind::Data, 0);
  VMM_TRY(mem.write_bytes(kGdt, std::as_bytes(std::span(gdt))));

  // Identity map of the first 4 GiB, kernel-only, 2 MiB pages: covers kernel, zero page
  // and command line as boot.rst requires.
  const PageMapping all{0, kIdentityMapped, {true, false, true, false}};
  PageTables tables = VMM_TRY(build_identity_page_tables(mem, kPageTables, kPageTablesEnd, {&all, 1}));

  // The zero page parts that do not change per instance.
  boot_params bp{};
  bp.hdr.boot_flag = 0xaa55;
  bp.hdr.header = 0x53726448;  // "HdrS"
  bp.hdr.version = 0x020f;
  bp.hdr.type_of_loader = 0xff;
  bp.hdr.loadflags = LOADED_HIGH;
  bp.hdr.kernel_alignment = 0x1000000;
  bp.hdr.cmd_line_ptr = static_cast<uint32_t>(kCmdline);
  bp.hdr.cmdline_size = static_cast<uint32_t>(kCmdlineMax);
  auto add_e820 = [&](uint64_t addr, uint64_t len, uint32_t type) {
    bp.e820_table[bp.e820_entries++] = {addr, len, type};
  };
  add_e820(0, kEbdaStart, kE820Ram);
  add_e820(kHighMemory, ram - kHighMemory, kE820Ram);
  VMM_TRY(mem.write(kZeroPage, bp));

  VMM_TRY(builder.load_segments(image.bytes, image.elf));
  auto t = VMM_TRY(builder.finish());
  t->cr3 = tables.cr3;
  t->entry = image.elf.entry;
  t->stack_top = kBootStack;
  return std::shared_ptr<const BootTemplate>(std::move(t));
}

Result<void> Linux64BootDriver::write_boot_params(const GuestMemory& mem, const ImageInternals&, const BootTemplate&,
                                                  const MachineLayout&, const BootParams& params) const {
  if (params.cmdline.size() > kCmdlineMax) {
    return Error(fmt::format("command line is {} bytes; at most {} fit", params.cmdline.size(), kCmdlineMax));
  }
  VMM_TRY(mem.write_bytes(kCmdline, std::as_bytes(std::span(params.cmdline))));
  return mem.write<uint8_t>(kCmdline + params.cmdline.size(), 0);
}

Result<void> Linux64BootDriver::setup_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl,
                                           const MachineLayout& layout) const {
  CpuidTable cpuid(kvm.supported_cpuid());
  normalize_cpuid(cpuid, vcpu.id(), layout.vcpu_count);
  VMM_TRY(vcpu.set_cpuid(cpuid.entries()));

  kvm_sregs s = VMM_TRY(vcpu.get_sregs());
  s.cs = flat_kvm_segment(SegmentKind::Code64, 0, kBootCs);
  s.ds = s.es = s.fs = s.gs = s.ss = flat_kvm_segment(SegmentKind::Data, 0, kBootDs);
  s.gdt.base = kGdt;
  s.gdt.limit = 4 * 8 - 1;
  s.idt.base = kIdt;
  s.idt.limit = 0;
  s.cr0 = kCr0Pe | kCr0Mp | kCr0Et | kCr0Ne | kCr0Pg;
  s.cr3 = tmpl.cr3;
  s.cr4 = kCr4Pae;
  s.efer = kEferLme | kEferLma | kEferSce;
  VMM_TRY(vcpu.set_sregs(s));

  kvm_regs r{};
  r.rip = tmpl.entry;
  r.rsp = r.rbp = tmpl.stack_top;
  r.rsi = kZeroPage;
  r.rflags = kRflagsReserved1;
  return vcpu.set_regs(r);
}

size_t Linux64BootDriver::max_cmdline() const { return kCmdlineMax; }

}  // namespace vmm::linux64
