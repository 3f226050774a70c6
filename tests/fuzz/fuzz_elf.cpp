// Arbitrary bytes as a boot image: parse_elf and the boot-protocol checks must reject or
// accept without crashing, leaking or reading outside the input.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "loader/elf.h"
#include "vmm/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  (void)vmm::parse_elf(bytes);
  for (auto protocol : {vmm::BootProtocol::Auto, vmm::BootProtocol::Lean, vmm::BootProtocol::Linux64}) {
    (void)vmm::Image::from_bytes("fuzz.elf", bytes, {protocol});
  }
  return 0;
}
