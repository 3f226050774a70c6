#include "boot/multiboot/multiboot_protocol.h"

#include "arch/x86_64/layout.h"
#include "arch/x86_64/memory_map.h"
#include "boot/multiboot/multiboot_header.h"
#include "boot/multiboot/multiboot_info.h"
#include "loader/image_internals.h"

namespace vmm::multiboot {

using namespace x86::standard;

namespace {
constexpr char kLoaderName[] = "libvmm";
constexpr char kModuleString[] = "initrd";
}  // namespace

Result<standard_boot::ImagePlacement> MultibootBootDriver::placement(const ImageInternals& image) const {
  const Header header = VMM_TRY(find_header(image.bytes));
  return load_plan(header, image.elf, image.bytes);
}

Result<uint64_t> MultibootBootDriver::write_tables(const GuestMemory& mem, const MachineLayout& layout) const {
  const auto map = x86::standard_memory_map(layout.ram_size);
  for (size_t i = 0; i < map.size(); ++i) {
    VMM_TRY(mem.write(kMemmap + i * sizeof(MmapEntry),
                      MmapEntry{sizeof(MmapEntry) - 4, map[i].addr, map[i].size, static_cast<uint32_t>(map[i].type)}));
  }
  VMM_TRY(mem.write(kBootLoaderName, kLoaderName));
  VMM_TRY(mem.write(kModuleName, kModuleString));
  // Section 3.3: mem_lower counts from 0 (at most 640 KiB), mem_upper from 1 MiB to the
  // first hole.
  Info info{};
  info.flags = kInfoMemory | kInfoCmdline | kInfoMemoryMap | kInfoLoaderName;
  info.mem_lower = static_cast<uint32_t>(kSystemMem / 1024);
  info.mem_upper = static_cast<uint32_t>((x86::low_ram_end(layout.ram_size) - kHighMemory) / 1024);
  info.cmdline = static_cast<uint32_t>(kCmdline);
  info.mmap_length = static_cast<uint32_t>(map.size() * sizeof(MmapEntry));
  info.mmap_addr = static_cast<uint32_t>(kMemmap);
  info.boot_loader_name = static_cast<uint32_t>(kBootLoaderName);
  VMM_TRY(mem.write(kMultibootInfo, info));
  return uint64_t{0};  // no paging at entry
}

Result<void> MultibootBootDriver::write_instance(const GuestMemory& mem, uint64_t,
                                                 const standard_boot::InitrdPlacement& initrd) const {
  if (initrd.size == 0) return {};
  // Modules are page-aligned (header flag 0) whether asked or not.
  const Module module{static_cast<uint32_t>(initrd.gpa), static_cast<uint32_t>(initrd.gpa + initrd.size),
                      static_cast<uint32_t>(kModuleName), 0};
  VMM_TRY(mem.write(kMultibootModules, module));
  Info info = VMM_TRY(mem.read<Info>(kMultibootInfo));
  info.flags |= kInfoModules;
  info.mods_count = 1;
  info.mods_addr = static_cast<uint32_t>(kMultibootModules);
  return mem.write(kMultibootInfo, info);
}

uint64_t MultibootBootDriver::boot_data() const { return kMultibootInfo; }

x86::EntryState MultibootBootDriver::entry_registers(uint64_t boot_data) const {
  // Section 3.2: EAX magic, EBX info; flat 32-bit CS and data segments; CR0.PE set and
  // PG clear; EFLAGS.VM and IF clear (set_entry_state). ESP is the OS's business; ours is
  // a usable stack.
  x86::EntryState s;
  s.rax = kBootloaderMagic;
  s.rbx = boot_data;
  return s;
}

}  // namespace vmm::multiboot
