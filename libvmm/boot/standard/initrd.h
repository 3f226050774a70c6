// The initial ramdisk (Linux) / boot module (PVH, multiboot) of a standard guest, read
// per instance straight into guest RAM. Placement follows Firecracker (and boot.rst's
// advice to load it as high as possible): page-aligned, ending at or just below the top
// of the RAM below the MMIO gap.
#pragma once

#include <cstdint>
#include <string_view>

#include "vmm/guest_memory.h"
#include "vmm/result.h"

namespace vmm::standard_boot {

struct InitrdPlacement {
  uint64_t gpa = 0;   // page-aligned
  uint64_t size = 0;  // bytes of the file; 0: no initrd
};

// Where an initrd of `size` bytes goes in `ram_size` bytes of RAM, given that guest memory
// below `lowest` (the image and boot data) is taken. Errors say why it does not fit.
Result<InitrdPlacement> place_initrd(std::string_view path, uint64_t size, uint64_t lowest, uint64_t ram_size);

// Reads the file at `path` into `mem` at its place. An empty path loads nothing (size 0).
Result<InitrdPlacement> load_initrd(const GuestMemory& mem, std::string_view path, uint64_t lowest,
                                    uint64_t ram_size);

}  // namespace vmm::standard_boot
