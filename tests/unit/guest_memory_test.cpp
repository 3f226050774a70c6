#include <catch2/catch.hpp>

#include <vector>

#include "vmm/guest_memory.h"

using namespace vmm;

namespace {
struct FakeRam {
  explicit FakeRam(size_t size) : bytes(size + 64, std::byte{0xcc}) {}
  std::byte* base() { return bytes.data() + 32; }  // 32-byte canaries on both sides
  bool canaries_intact(size_t size) const {
    for (size_t i = 0; i < 32; ++i) {
      if (bytes[i] != std::byte{0xcc} || bytes[32 + size + i] != std::byte{0xcc}) return false;
    }
    return true;
  }
  std::vector<std::byte> bytes;
};
}  // namespace

TEST_CASE("GuestMemory accepts ranges wholly inside RAM") {
  FakeRam ram(0x1000);
  GuestMemory mem(ram.base(), 0x1000);
  CHECK(mem.contains(0, 0x1000));
  CHECK(mem.contains(0xfff, 1));
  CHECK(mem.contains(0x1000, 0));  // empty range at the end
  CHECK(mem.host_ptr(0x10, 4) == ram.base() + 0x10);
}

TEST_CASE("GuestMemory rejects a range crossing the end of RAM") {
  FakeRam ram(0x1000);
  GuestMemory mem(ram.base(), 0x1000);
  CHECK_FALSE(mem.contains(0xfff, 2));
  CHECK_FALSE(mem.contains(0x1001, 0));
  auto s = mem.span(0xff0, 0x20);
  REQUIRE_FALSE(s);
  CHECK(s.error().message() == "guest range [0xff0, 0x1010) lies outside guest RAM");
}

TEST_CASE("GuestMemory rejects an address plus length that overflows") {
  FakeRam ram(0x1000);
  GuestMemory mem(ram.base(), 0x1000);
  CHECK_FALSE(mem.contains(0x10, UINT64_MAX));
  CHECK_FALSE(mem.contains(UINT64_MAX, 2));
  auto s = mem.span(UINT64_MAX - 1, 4);
  REQUIRE_FALSE(s);
  CHECK(s.error().message() == "guest range at 0xfffffffffffffffe of 0x4 bytes overflows");
}

TEST_CASE("GuestMemory read and write stay inside RAM") {
  FakeRam ram(0x1000);
  GuestMemory mem(ram.base(), 0x1000);
  REQUIRE(mem.write<uint64_t>(0xff8, 0x1122334455667788ull));
  CHECK(*mem.read<uint64_t>(0xff8) == 0x1122334455667788ull);
  CHECK_FALSE(mem.write<uint64_t>(0xffc, 1));
  CHECK_FALSE(mem.try_read<uint32_t>(0xffe).has_value());
  std::vector<std::byte> big(0x2000);
  CHECK_FALSE(mem.write_bytes(0, big));
  CHECK_FALSE(mem.read_bytes(0x800, big));
  CHECK(ram.canaries_intact(0x1000));
}

TEST_CASE("GuestMemory regions: a range must lie inside one region") {
  FakeRam low(0x1000), high(0x1000);
  GuestMemory mem;
  mem.add_region({0, 0x1000, low.base()});
  mem.add_region({0x10000, 0x1000, high.base()});
  CHECK(mem.host_ptr(0x10010, 4) == high.base() + 0x10);
  CHECK_FALSE(mem.contains(0x1000, 1));     // the hole
  CHECK_FALSE(mem.contains(0xff0, 0x20));   // crosses into the hole
  CHECK(mem.end() == 0x11000);
}

TEST_CASE("GuestMemory atomics require natural alignment") {
  FakeRam ram(0x100);
  GuestMemory mem(ram.base(), 0x100);
  CHECK(mem.store_release<uint16_t>(0x10, 7));
  CHECK(*mem.load_acquire<uint16_t>(0x10) == 7);
  CHECK_FALSE(mem.load_acquire<uint16_t>(0x11).has_value());
  CHECK_FALSE(mem.store_release<uint32_t>(0xfe, 1));
  CHECK(ram.canaries_intact(0x100));
}
