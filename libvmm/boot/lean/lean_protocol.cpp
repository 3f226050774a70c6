// The lean ABI boot protocol (docs/guest-abi.md).
#include "boot/lean/lean_protocol.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "arch/x86_64/cpu_bits.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/layout.h"
#include "boot/boot_template.h"
#include "boot/lean/lean_tables.h"
#include "core/checked_math.h"
#include "loader/image_internals.h"

namespace vmm::lean {
namespace {

using namespace vmm::x86;
using namespace vmm::x86::lean;

constexpr uint64_t kMinRam = 2ull << 20;

uint64_t image_start_page(const ElfFile& elf) { return align_down(elf.load_start, kPageSize); }
uint64_t image_end_page(const ElfFile& elf) { return align_up(elf.load_end, kPageSize); }

}  // namespace

BootDataLayout boot_data_layout(uint64_t ram_size, size_t memmap_count, size_t device_count, size_t cmdline_length) {
  const uint64_t info = align_up(sizeof(vmm_boot_info), 16);
  const uint64_t memmap = align_up(memmap_count * sizeof(vmm_mem_region), 16);
  const uint64_t devices = device_count * sizeof(vmm_boot_device);
  const uint64_t size = align_up(info + memmap + devices + cmdline_length + 1, 64);
  BootDataLayout l;
  l.base = ram_size - size;
  l.memmap = l.base + info;
  l.devices = l.memmap + memmap;
  l.cmdline = l.devices + devices;
  return l;
}

std::vector<vmm_mem_region> memory_map(const ElfFile& elf, uint64_t ram_size, size_t device_count,
                                       uint64_t boot_data) {
  std::vector<vmm_mem_region> map;
  auto add = [&](uint64_t base, uint64_t size, uint32_t type) {
    if (size != 0) map.push_back({base, size, type, 0});
  };
  const uint64_t start = image_start_page(elf), end = image_end_page(elf);
  const uint64_t stack = ram_size - kStackSize;
  add(0, kImageMin, VMM_MEM_BOOT);
  add(kImageMin, start - kImageMin, VMM_MEM_FREE);
  add(start, end - start, VMM_MEM_IMAGE);
  const uint64_t queues = device_count * kDeviceQueueArea;  // attach_devices() checked it fits
  add(end, stack - queues - end, VMM_MEM_FREE);
  add(stack - queues, queues, VMM_MEM_QUEUES);
  add(stack, boot_data - stack, VMM_MEM_STACK);
  add(boot_data, ram_size - boot_data, VMM_MEM_BOOT);
  add(kDeviceMmio, device_count * kDeviceMmioSize, VMM_MEM_MMIO);
  return map;
}

Result<void> LeanBootDriver::validate_image(const ImageInternals& image) const {
  const ElfFile& elf = image.elf;
  const ElfNote* note = elf.find_note(VMM_NOTE_NAME, VMM_NOTE_TYPE_ABI);
  if (note == nullptr) return Error("lean ABI: the image has no libvmm ABI note");
  if (note->desc_size < sizeof(vmm_abi_note)) {
    return Error(fmt::format("lean ABI: ABI note descriptor is {} bytes (expected {})", note->desc_size,
                             sizeof(vmm_abi_note)));
  }
  vmm_abi_note abi;
  std::memcpy(&abi, image.bytes.data() + note->desc_offset, sizeof abi);
  if (abi.abi_version != VMM_ABI_VERSION) {
    return Error(fmt::format("lean ABI: image wants ABI version {}, this libvmm provides {}", abi.abi_version,
                             VMM_ABI_VERSION));
  }
  if (elf.elf_class != 64) return Error("lean ABI: the image must be ELF64");
  bool entry_ok = false;
  for (const ElfSegment& s : elf.loads) {
    if (s.paddr != s.vaddr) {
      return Error(fmt::format("lean ABI: segment {} is not identity-mapped (vaddr {:#x} != paddr {:#x})", s.index,
                               s.vaddr, s.paddr));
    }
    if (s.paddr < kImageMin) {
      return Error(fmt::format("lean ABI: segment {} at [{:#x}, {:#x}) overlaps the VMM area below {:#x}", s.index,
                               s.paddr, s.paddr + s.mem_size, kImageMin));
    }
    if ((s.flags & 1) && elf.entry >= s.paddr && elf.entry < s.paddr + s.mem_size) entry_ok = true;
  }
  if (!entry_ok) return Error(fmt::format("lean ABI: entry point {:#x} is not in an executable segment", elf.entry));
  if (elf.load_end > kRamMax) {
    return Error(fmt::format("lean ABI: image ends at {:#x}, above the RAM limit {:#x}", elf.load_end, kRamMax));
  }
  return {};
}

Result<void> LeanBootDriver::check_layout(const ImageInternals& image, const MachineLayout& layout) {
  const uint64_t ram = layout.ram_size;
  if (ram < kMinRam || ram > kRamMax || ram % kPageSize != 0) {
    return Error(fmt::format("lean ABI: guest RAM must be a multiple of 4 KiB between {} MiB and {} MiB, not {} bytes",
                             kMinRam >> 20, kRamMax >> 20, ram));
  }
  const uint64_t needed = image_end_page(image.elf) + kStackSize;
  if (needed > ram) {
    return Error(fmt::format("lean ABI: image [{:#x}, {:#x}) and the {} KiB stack do not fit in {} KiB of RAM "
                             "(need at least {} KiB)", image.elf.load_start, image.elf.load_end, kStackSize >> 10,
                             ram >> 10, align_up(needed, 1 << 10) >> 10));
  }
  if (layout.vcpu_count == 0 || layout.vcpu_count > kMaxVcpus) {
    return Error(fmt::format("lean ABI: {} vCPUs requested, 1 to {} supported", layout.vcpu_count, kMaxVcpus));
  }
  return {};
}

Result<std::shared_ptr<const BootTemplate>> LeanBootDriver::build_template(const ImageInternals& image,
                                                                           const MachineLayout& layout) const {
  VMM_TRY(check_layout(image, layout));
  // The template ends with the image's last file-backed page: BSS beyond it is plain
  // anonymous RAM, so the guest's first writes there are cheap zero-fill faults rather than
  // copies of shared template pages (each of which also notifies every VM in the process).
  uint64_t file_end = kPageTablesEnd;
  for (const ElfSegment& s : image.elf.loads) file_end = std::max(file_end, s.paddr + s.file_size);
  TemplateBuilder builder = VMM_TRY(TemplateBuilder::create("vmm-lean-template", align_up(file_end, kPageSize)));
  const GuestMemory& mem = builder.memory();
  VMM_TRY(write_cpu_tables(mem, layout.vcpu_count));
  // Page tables map all of RAM but live in the template, which only spans the image: give
  // the builder a view of the template (tables are written below 1 MiB).
  PageTables tables = VMM_TRY(write_page_tables(mem, image.elf, layout.ram_size));
  VMM_TRY(builder.load_segments(image.bytes, image.elf));
  auto t = VMM_TRY(builder.finish());
  t->cr3 = tables.cr3;
  t->entry = image.elf.entry;
  return std::shared_ptr<const BootTemplate>(std::move(t));
}

Result<EntryArgs> LeanBootDriver::write_boot_params(const GuestMemory& mem, const ImageInternals& image,
                                                    const BootTemplate&, const MachineLayout& layout,
                                                    const BootParams& params) const {
  if (params.cmdline.size() > kCmdlineMax) {
    return Error(fmt::format("command line is {} bytes; the lean ABI carries at most {}", params.cmdline.size(),
                             kCmdlineMax));
  }
  if (params.devices.size() > kDevicesMax) {
    return Error(fmt::format("{} devices attached; the lean ABI describes at most {}", params.devices.size(),
                             kDevicesMax));
  }
  const BootDataLayout l =
      boot_data_layout(layout.ram_size, kMemmapEntries, params.devices.size(), params.cmdline.size());
  std::vector<vmm_mem_region> map = memory_map(image.elf, layout.ram_size, params.devices.size(), l.base);

  vmm_boot_info info{};
  info.magic = VMM_BOOT_INFO_MAGIC;
  info.version = VMM_ABI_VERSION;
  info.size = sizeof info;
  info.ram_size = layout.ram_size;
  info.memmap = l.memmap;
  info.memmap_count = static_cast<uint32_t>(map.size());
  info.vcpu_count = layout.vcpu_count;
  info.cmdline = l.cmdline;
  info.cmdline_length = static_cast<uint32_t>(params.cmdline.size());
  info.device_count = static_cast<uint32_t>(params.devices.size());
  info.devices = params.devices.empty() ? 0 : l.devices;
  info.tsc_hz = params.tsc_hz;
  info.boot_tsc = params.guest_tsc;
  info.boot_wallclock_ns = params.wallclock_ns;
  std::memcpy(info.entropy, params.entropy.data(), sizeof info.entropy);
  info.hypercall_port_base = VMM_HC_PORT_BASE;
  info.hypercall_port_count = VMM_HC_PORT_COUNT;

  VMM_TRY(mem.write(l.base, info));
  VMM_TRY(mem.write_bytes(l.memmap, std::as_bytes(std::span(map))));
  if (!params.devices.empty()) VMM_TRY(mem.write_bytes(l.devices, std::as_bytes(params.devices)));
  VMM_TRY(mem.write_bytes(l.cmdline, std::as_bytes(std::span(params.cmdline))));
  VMM_TRY(mem.write<uint8_t>(l.cmdline + params.cmdline.size(), 0));
  return EntryArgs{l.base - 8, l.base};
}

bool tr_must_be_busy(const Kvm& kvm) {
  // VMX: VM entry requires a busy 64-bit TSS in TR (Intel SDM vol. 3C, "Checks on Guest
  // Segment Registers"). SVM hardware checks neither type, but QEMU-TCG's SVM opens the TSS
  // I/O bitmap to CPL3 only for an available TSS (type 9, what its `ltr` leaves cached).
  // PVM accepts both. docs/guest-abi.md, "Port access".
  return kvm.host().flavour != KvmFlavour::Svm;
}

Result<void> setup_lean_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl, uint32_t vcpu_count,
                             uint64_t rip, uint64_t rsp, uint64_t rdi) {
  const uint32_t index = vcpu.id();
  CpuidTable cpuid(kvm.supported_cpuid());
  normalize_cpuid(cpuid, index, vcpu_count);
  VMM_TRY(vcpu.set_cpuid(cpuid.entries()));
  const uint64_t xcr0 = guest_xcr0(cpuid);

  // Every field set here, so no KVM_GET_SREGS round trip for KVM's reset values.
  kvm_sregs s{};
  s.apic_base = kApicBaseDefault | kApicBaseEnable | (index == 0 ? kApicBaseBsp : 0);
  s.cs = flat_kvm_segment(SegmentKind::Code64, 3, kUserCs);
  s.ds = s.es = s.fs = s.gs = s.ss = flat_kvm_segment(SegmentKind::Data, 3, kUserDs);
  s.tr = tss_kvm_segment(kTss + index * kTssStride, tss_limit(), static_cast<uint16_t>(kFirstTss + 16 * index),
                         tr_must_be_busy(kvm));
  s.ldt = {};
  s.ldt.unusable = 1;
  s.gdt.base = kGdt;
  s.gdt.limit = kGdtEntries * 8 - 1;
  s.idt.base = kIdt;
  s.idt.limit = 32 * 16 - 1;
  s.cr0 = kCr0Pe | kCr0Mp | kCr0Et | kCr0Ne | kCr0Wp | kCr0Pg;
  s.cr3 = tmpl.cr3;
  s.cr4 = kCr4Pae | kCr4Osfxsr | kCr4Osxmmexcpt | (xcr0 ? kCr4Osxsave : 0);
  s.efer = kEferLme | kEferLma | kEferNxe;
  VMM_TRY(vcpu.set_sregs(s));
  if (xcr0 != 0 && kvm.caps().xcrs) VMM_TRY(vcpu.set_xcr0(xcr0));

  kvm_regs r{};
  r.rip = rip;
  r.rsp = rsp;
  r.rdi = rdi;
  r.rflags = kRflagsReserved1;  // IF = 0, IOPL = 0: ports come from the TSS bitmap
  return vcpu.set_regs(r);
}

Result<void> LeanBootDriver::setup_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl,
                                        const MachineLayout& layout, const EntryArgs& entry) const {
  // Only the boot vCPU enters here; the others start parked until VMM_HC_CPU_START.
  return setup_lean_vcpu(vcpu, kvm, tmpl, layout.vcpu_count, tmpl.entry, entry.stack_pointer, entry.boot_data);
}

size_t LeanBootDriver::max_cmdline() const { return kCmdlineMax; }

}  // namespace vmm::lean
