// Decoding and validation of lean hypercalls, without KVM.
#include <catch2/catch.hpp>

#include <vector>

#include "instance/lean_hypercalls.h"
#include "vmm/guest_abi.h"

using namespace vmm;

namespace {
VcpuExit::IoAccess io(uint16_t port, uint8_t size, bool write, uint32_t count, uint8_t* data) {
  return {port, size, write, count, {data, static_cast<size_t>(size) * count}};
}
}  // namespace

TEST_CASE("A hypercall is a single 32-bit OUT to a hypercall port") {
  uint8_t data[64] = {};
  CHECK(decode_hypercall(io(VMM_HC_PORT_BASE + 3, 4, true, 1, data)) == 3u);
  CHECK_FALSE(decode_hypercall(io(VMM_HC_PORT_BASE, 1, true, 1, data)));       // byte write
  CHECK_FALSE(decode_hypercall(io(VMM_HC_PORT_BASE, 2, true, 1, data)));       // word write
  CHECK_FALSE(decode_hypercall(io(VMM_HC_PORT_BASE, 4, false, 1, data)));      // IN
  CHECK_FALSE(decode_hypercall(io(VMM_HC_PORT_BASE, 4, true, 4, data)));       // rep outsd
  CHECK_FALSE(decode_hypercall(io(VMM_HC_PORT_BASE + 16, 4, true, 1, data)));  // past the range
  CHECK_FALSE(decode_hypercall(io(VMM_HC_PORT_BASE - 1, 4, true, 1, data)));
}

TEST_CASE("Hypercall blocks must be aligned and wholly inside RAM") {
  std::vector<std::byte> ram(0x2000);
  GuestMemory mem(ram.data(), ram.size());
  CHECK(hypercall_block_ok(mem, 0x1000, 24));
  CHECK_FALSE(hypercall_block_ok(mem, 0x1003, 24));      // misaligned
  CHECK_FALSE(hypercall_block_ok(mem, 0x1ff8, 24));      // crosses the end
  CHECK_FALSE(hypercall_block_ok(mem, 0x2000, 8));       // just past RAM
  CHECK_FALSE(hypercall_block_ok(mem, 0xfffffff8, 24));  // far outside
}

TEST_CASE("Console write: length bounded, buffer checked whole") {
  std::vector<std::byte> ram(0x2000);
  GuestMemory mem(ram.data(), ram.size());
  CHECK(check_console_write(mem, 0x100, 16) == 16);
  CHECK(check_console_write(mem, 0x100, 0) == 0);
  CHECK(check_console_write(mem, 0x1ff8, 16) == -VMM_EFAULT);
  CHECK(check_console_write(mem, UINT64_MAX - 4, 16) == -VMM_EFAULT);
  CHECK(check_console_write(mem, 0x100, VMM_CONSOLE_WRITE_MAX + 1) == -VMM_EINVAL);
}
