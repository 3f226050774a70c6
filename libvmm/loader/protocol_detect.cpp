#include <cstring>

#include "loader/image_internals.h"
#include "vmm/guest_abi.h"

namespace vmm {
namespace {

constexpr uint32_t kXenElfnotePhys32Entry = 18;  // Xen public/elfnote.h
constexpr uint32_t kMultibootMagic = 0x1badb002;  // Multiboot 0.6.96 section 3.1.1
constexpr size_t kMultibootSearch = 8192;

bool has_multiboot_header(std::span<const std::byte> file) {
  // The header is 32-bit aligned within the first 8192 bytes; magic + flags + checksum
  // sum to zero (mod 2^32).
  const size_t limit = std::min(file.size(), kMultibootSearch);
  for (size_t off = 0; off + 12 <= limit; off += 4) {
    uint32_t w[3];
    std::memcpy(w, file.data() + off, sizeof w);
    if (w[0] == kMultibootMagic && static_cast<uint32_t>(w[0] + w[1] + w[2]) == 0) return true;
  }
  return false;
}

}  // namespace

BootProtocol detect_boot_protocol(const ElfFile& elf, std::span<const std::byte> file) {
  if (elf.find_note(VMM_NOTE_NAME, VMM_NOTE_TYPE_ABI) != nullptr) return BootProtocol::Lean;
  if (elf.find_note("Xen", kXenElfnotePhys32Entry) != nullptr) return BootProtocol::Pvh;
  if (has_multiboot_header(file)) return BootProtocol::Multiboot;
  return BootProtocol::Linux64;
}

}  // namespace vmm
