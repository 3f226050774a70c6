// The Multiboot 0.6.96 information structure (section 3.3) that EBX points to at entry,
// and the module and memory-map entries it refers to.
#pragma once

#include <cstdint>

namespace vmm::multiboot {

// multiboot_info.flags: which fields are valid.
inline constexpr uint32_t kInfoMemory = 1u << 0;      // mem_lower, mem_upper
inline constexpr uint32_t kInfoCmdline = 1u << 2;
inline constexpr uint32_t kInfoModules = 1u << 3;     // mods_count, mods_addr
inline constexpr uint32_t kInfoMemoryMap = 1u << 6;   // mmap_length, mmap_addr
inline constexpr uint32_t kInfoLoaderName = 1u << 9;

struct [[gnu::packed]] Info {
  uint32_t flags;
  uint32_t mem_lower;  // KiB of RAM from 0 (at most 640)
  uint32_t mem_upper;  // KiB of RAM from 1 MiB to the first hole
  uint32_t boot_device;
  uint32_t cmdline;
  uint32_t mods_count;
  uint32_t mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length;  // bytes
  uint32_t mmap_addr;
  uint32_t drives_length;
  uint32_t drives_addr;
  uint32_t config_table;
  uint32_t boot_loader_name;
  uint32_t apm_table;
  uint32_t vbe_control_info;
  uint32_t vbe_mode_info;
  uint16_t vbe_mode;
  uint16_t vbe_interface_seg;
  uint16_t vbe_interface_off;
  uint16_t vbe_interface_len;
  uint64_t framebuffer_addr;
  uint32_t framebuffer_pitch;
  uint32_t framebuffer_width;
  uint32_t framebuffer_height;
  uint8_t framebuffer_bpp;
  uint8_t framebuffer_type;
  uint8_t color_info[6];
};

struct [[gnu::packed]] Module {
  uint32_t mod_start;
  uint32_t mod_end;  // one past the last byte
  uint32_t string;   // NUL-terminated module command line
  uint32_t reserved;
};

// mmap entries are variable-sized: `size` counts the bytes after itself.
struct [[gnu::packed]] MmapEntry {
  uint32_t size;  // 20
  uint64_t base_addr;
  uint64_t length;
  uint32_t type;  // 1 = available RAM; anything else reserved
};

static_assert(sizeof(Info) == 116 && sizeof(Module) == 16 && sizeof(MmapEntry) == 24);

}  // namespace vmm::multiboot
