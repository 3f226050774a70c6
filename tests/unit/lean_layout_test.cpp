// The lean ABI's VMM-owned memory: memory map, TSS I/O bitmap, boot data limits.
#include <catch2/catch.hpp>

#include <vector>

#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/layout.h"
#include "boot/lean/lean_protocol.h"
#include "boot/lean/lean_tables.h"
#include "elf_builder.h"
#include "loader/image_internals.h"

using namespace vmm;
using vmm::x86::translate;
namespace L = vmm::x86::lean;  // layout constants

namespace {

ElfFile one_segment_image(uint64_t start, uint64_t size) {
  ElfFile elf;
  elf.loads.push_back({0, start, start, 0x1000, size, size, 5});
  elf.load_start = start;
  elf.load_end = start + size;
  return elf;
}

bool port_allowed(const GuestMemory& mem, uint64_t tss, uint16_t port) {
  uint16_t iomap = *mem.read<uint16_t>(tss + x86::kTssIoMapBaseOffset);
  uint64_t byte = tss + iomap + port / 8;
  if (byte + 1 > tss + lean::tss_limit()) return false;  // beyond the limit: denied
  return ((*mem.read<uint8_t>(byte) >> (port % 8)) & 1) == 0;
}

}  // namespace

TEST_CASE("Lean memory map: boot area, image, free RAM, device rings, stack, devices") {
  ElfFile elf = one_segment_image(0x100000, 0x5432);
  auto data = lean::boot_data_layout(4 << 20, lean::kMemmapEntries, 2, 100);
  auto map = lean::memory_map(elf, 4 << 20, 2, data.base);
  REQUIRE(map.size() == 7);
  CHECK(map[0].type == VMM_MEM_BOOT);
  CHECK(map[0].base == 0);
  CHECK(map[0].size == 0x100000);
  CHECK(map[1].type == VMM_MEM_IMAGE);
  CHECK(map[1].base == 0x100000);
  CHECK(map[1].size == 0x6000);
  CHECK(map[2].type == VMM_MEM_FREE);
  CHECK(map[2].base == 0x106000);
  const uint64_t stack = (4 << 20) - L::kStackSize;
  CHECK(map[2].base + map[2].size == stack - 2 * L::kDeviceQueueArea);
  CHECK(map[3].type == VMM_MEM_QUEUES);
  CHECK(map[3].base == stack - 2 * L::kDeviceQueueArea);
  CHECK(map[3].size == 2 * L::kDeviceQueueArea);
  CHECK(map[4].type == VMM_MEM_STACK);
  CHECK(map[4].base == stack);
  CHECK(map[4].base + map[4].size == data.base);
  CHECK(map[5].type == VMM_MEM_BOOT);
  CHECK(map[5].base + map[5].size == (4 << 20));
  CHECK(map[6].type == VMM_MEM_MMIO);
  CHECK(map[6].base == L::kDeviceMmio);
  CHECK(map[6].size == 2 * L::kDeviceMmioSize);
}

TEST_CASE("Lean memory map without devices has no ring or MMIO regions") {
  ElfFile elf = one_segment_image(0x100000, 0x1000);
  auto data = lean::boot_data_layout(4 << 20, lean::kMemmapEntries, 0, 0);
  auto map = lean::memory_map(elf, 4 << 20, 0, data.base);
  REQUIRE(map.size() == 5);
  CHECK(map[2].type == VMM_MEM_FREE);
  CHECK(map[3].type == VMM_MEM_STACK);
  CHECK(map[4].type == VMM_MEM_BOOT);
}

TEST_CASE("Lean boot data packs info, memory map, devices and command line at the top of RAM") {
  auto l = lean::boot_data_layout(4 << 20, 6, 1, 30);
  CHECK(l.memmap == l.base + 160);
  CHECK(l.devices == l.memmap + 144);
  CHECK(l.cmdline == l.devices + 168);
  CHECK(l.cmdline + 31 <= (4u << 20));
  CHECK(l.base % 64 == 0);
  CHECK((4u << 20) - l.base < 4096);  // shares its page with the top of the stack
}

TEST_CASE("TSS I/O bitmap grants exactly the guest hypercall ports") {
  std::vector<std::byte> bytes(1 << 20);
  GuestMemory mem(bytes.data(), bytes.size());
  REQUIRE(lean::write_cpu_tables(mem, 2));
  for (uint64_t tss : {L::kTss, L::kTss + L::kTssStride}) {
    CHECK(port_allowed(mem, tss, VMM_HC_PORT_BASE + VMM_HC_CONSOLE_WRITE));
    CHECK(port_allowed(mem, tss, VMM_HC_PORT_BASE + VMM_HC_NOTIFY));
    CHECK(port_allowed(mem, tss, VMM_HC_PORT_BASE + 14));
    CHECK_FALSE(port_allowed(mem, tss, VMM_HC_PORT_BASE + VMM_HC_EXCEPTION));  // CPL0 stubs only
    CHECK_FALSE(port_allowed(mem, tss, VMM_HC_PORT_BASE - 1));
    CHECK_FALSE(port_allowed(mem, tss, 0x3f8));
    CHECK_FALSE(port_allowed(mem, tss, 0xcf8));
  }
  // RSP0 of each vCPU is the top of its own CPL0 stack.
  CHECK(*mem.read<uint64_t>(L::kTss + x86::kTssRsp0Offset) == L::kCpl0Stacks + L::kCpl0StackSize);
  CHECK(*mem.read<uint64_t>(L::kTss + L::kTssStride + x86::kTssRsp0Offset) ==
        L::kCpl0Stacks + 2 * L::kCpl0StackSize);
}

TEST_CASE("Lean vCPU count is bounded by the tables") {
  std::vector<std::byte> bytes(1 << 20);
  GuestMemory mem(bytes.data(), bytes.size());
  auto r = lean::write_cpu_tables(mem, L::kMaxVcpus + 1);
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "lean ABI supports 1 to 8 vCPUs, not 9");
}

TEST_CASE("Lean page tables: VMM tables supervisor-only, nothing mapped past RAM") {
  std::vector<std::byte> bytes(4 << 20);
  GuestMemory mem(bytes.data(), bytes.size());
  ElfFile elf = one_segment_image(0x100000, 0x2000);
  auto t = lean::write_page_tables(mem, elf, 4 << 20);
  REQUIRE(t);
  auto idt = translate(mem, t->cr3, L::kIdt);
  REQUIRE(idt);
  CHECK_FALSE(idt->perms.user);
  CHECK_FALSE(translate(mem, t->cr3, L::kPageTables).has_value());  // tables are not mapped
  CHECK_FALSE(translate(mem, t->cr3, 0).has_value());
  CHECK_FALSE(translate(mem, t->cr3, 4 << 20).has_value());  // nothing past RAM
  auto stack = translate(mem, t->cr3, (4 << 20) - 8);
  REQUIRE(stack);
  CHECK(stack->perms.writable);
  CHECK_FALSE(stack->perms.executable);
}

TEST_CASE("Lean layout rejects RAM the image and stack do not fit in") {
  ImageInternals image;
  image.elf = one_segment_image(0x100000, 0x1f0000);
  auto r = lean::LeanBootDriver::check_layout(image, {2 << 20, 1});
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "lean ABI: image [0x100000, 0x2f0000) and the 64 KiB stack do not fit in 2048 KiB "
                               "of RAM (need at least 3072 KiB)");
  auto r2 = lean::LeanBootDriver::check_layout(image, {(4 << 20) + 1, 1});
  REQUIRE_FALSE(r2);
  CHECK(r2.error().message() ==
        "lean ABI: guest RAM must be a multiple of 4 KiB between 2 MiB and 3328 MiB, not 4194305 bytes");
}

TEST_CASE("Lean boot data: a command line longer than the ABI carries is refused") {
  std::vector<std::byte> bytes(4 << 20);
  GuestMemory mem(bytes.data(), bytes.size());
  ImageInternals image;
  image.elf = one_segment_image(0x100000, 0x1000);
  lean::LeanBootDriver driver;
  std::string line(L::kCmdlineMax + 1, 'a');
  BootParams params;
  params.cmdline = line;
  BootTemplate tmpl;
  auto r = driver.write_boot_params(mem, image, tmpl, {4 << 20, 1}, params);
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "command line is 2048 bytes; the lean ABI carries at most 2047");
}
