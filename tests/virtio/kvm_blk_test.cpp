// KVM: a lean guest reads, writes and flushes a virtio-blk disk; the host checks the
// file afterwards (guest/drivers/tests/blk_test.cpp describes the pattern).
#include <catch2/catch.hpp>

#include "device_fixture.h"
#include "device_guest_catch.h"

using namespace vmm;
using namespace vmm::virtio::test;

namespace {

uint8_t guest_byte(uint64_t sector, size_t j) { return static_cast<uint8_t>((sector * 13 + j + 1) & 0xff); }

void check_disk(const std::vector<uint8_t>& disk, bool written) {
  const auto original = patterned_disk(128);
  REQUIRE(disk.size() == original.size());
  for (uint64_t s = 0; s < 128; ++s) {
    const bool by_guest = written && s >= 8 && s < 48;
    for (size_t j = 0; j < 512; ++j) {
      const uint8_t want = by_guest ? guest_byte(s, j) : original[s * 512 + j];
      if (disk[s * 512 + j] != want) FAIL("sector " << s << " byte " << j << " differs");
    }
  }
}

void run_blk_guest(const std::string& args, bool read_only) {
  TempFile file(patterned_disk(128));
  DeviceGuest g = make_device_guest("blk_test", "-- " + args, {}, {{file.path(), read_only}});
  auto exit = g.instance->run();
  REQUIRE(exit.has_value());
  INFO(g.console->text());
  CHECK(exit->reason == ExitReason::GuestExit);
  CHECK(exit->status == 0);
  CHECK(g.console->text().find("blk_test: ok") != std::string::npos);
  check_disk(file.read(), !read_only);
  const auto stats = g.instance->device_stats();
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].name == "virtio-blk0 (" + file.path() + ")");
  CHECK(stats[0].errors == (read_only ? 3 : 2));  // the past-the-end requests (and the refused write)
  CHECK_FALSE(stats[0].needs_reset);
  CHECK(stats[0].flushes == (read_only ? 0 : 2));
}

}  // namespace

TEST_CASE("LeanGuestReadsWritesFlushesDisk: preconfigured device", "[kvm][virtio][blk]") {
  run_blk_guest("", false);
}

TEST_CASE("LeanGuestReadsWritesFlushesDisk: register path", "[kvm][virtio][blk]") {
  run_blk_guest("registers", false);
}

TEST_CASE("ReadOnlyDisk: guest writes fail, the file is unchanged", "[kvm][virtio][blk]") {
  run_blk_guest("ro", true);
}

TEST_CASE("MissingDiskImage: start fails naming the device and the file", "[kvm][virtio][blk]") {
  DeviceGuest g = make_device_guest("blk_test", "", {}, {{"/nonexistent/vmm.img", false}});
  auto started = g.instance->start();
  REQUIRE_FALSE(started.has_value());
  CHECK(started.error().message() ==
        "starting instance blk_test.elf: attaching devices: virtio-blk0 (/nonexistent/vmm.img): opening disk image /nonexistent/vmm.img: No such file "
        "or directory");
}
