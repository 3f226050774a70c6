// libvmm's view of an Image: the file bytes, the parsed ELF, the chosen boot driver and
// the cache of boot templates (one per machine layout, built on first use).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "boot/boot_protocol.h"
#include "loader/elf.h"
#include "vmm/image.h"

namespace vmm {

struct ImageInternals {
  std::string name;
  std::string path;
  std::vector<std::byte> bytes;
  ElfFile elf;
  BootProtocol protocol = BootProtocol::Auto;
  const BootDriver* driver = nullptr;

  // The template for `layout`, built once and then shared. Thread-safe.
  Result<std::shared_ptr<const BootTemplate>> template_for(const MachineLayout& layout);

 private:
  std::mutex mutex_;
  std::map<MachineLayout, std::shared_ptr<const BootTemplate>> templates_;
};

// The protocol the image asks for: a libvmm note selects Lean, a Xen PHYS32_ENTRY note
// PVH, a multiboot header in the first 8 KiB Multiboot, anything else Linux64.
BootProtocol detect_boot_protocol(const ElfFile& elf, std::span<const std::byte> file);

}  // namespace vmm
