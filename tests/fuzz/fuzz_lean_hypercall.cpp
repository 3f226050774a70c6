// Guest-controlled hypercall inputs against the VMM's checks: a port access and a block
// address/length pair over a small fake RAM guarded by canaries.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "instance/lean_hypercalls.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 28) return 0;
  uint16_t port;
  uint8_t io_size, write, count;
  uint64_t gpa, length;
  std::memcpy(&port, data, 2);
  io_size = data[2];
  write = data[3];
  count = data[4];
  std::memcpy(&gpa, data + 8, 8);
  std::memcpy(&length, data + 16, 8);

  std::vector<std::byte> ram(0x4000 + 64, std::byte{0xcc});
  vmm::GuestMemory mem(ram.data() + 32, 0x4000);
  uint8_t io_data[64] = {};
  vmm::VcpuExit::IoAccess io{port, static_cast<uint8_t>(io_size % 8), write % 2 == 1,
                             static_cast<uint32_t>(count % 8), {io_data, sizeof io_data}};
  (void)vmm::decode_hypercall(io);
  (void)vmm::hypercall_block_ok(mem, gpa, length % 4096);
  int64_t r = vmm::check_console_write(mem, gpa, length);
  if (r > 0 && !mem.contains(gpa, static_cast<uint64_t>(r))) std::abort();
  for (size_t i = 0; i < 32; ++i) {
    if (ram[i] != std::byte{0xcc} || ram[32 + 0x4000 + i] != std::byte{0xcc}) std::abort();
  }
  return 0;
}
