#include <catch2/catch.hpp>

#include <vector>

#include "options.h"

using namespace vmm_run;

namespace {
vmm::Result<Options> parse(std::vector<std::string> args, std::optional<int>* exit_now = nullptr) {
  std::optional<int> ignored;
  std::vector<char*> argv;
  args.insert(args.begin(), "vmm-run");
  for (auto& a : args) argv.push_back(a.data());
  return parse_options(static_cast<int>(argv.size()), argv.data(), exit_now ? exit_now : &ignored);
}
}  // namespace

TEST_CASE("Sizes with units") {
  CHECK(*parse_size("4096") == 4096);
  CHECK(*parse_size("2k") == 2048);
  CHECK(*parse_size("16M") == 16ull << 20);
  CHECK(*parse_size("16MiB") == 16ull << 20);
  CHECK(*parse_size("1G") == 1ull << 30);
  CHECK(parse_size("12Q").error().message() == "invalid size '12Q': unknown unit 'Q'");
  CHECK(parse_size("lots").error().message() == "invalid size 'lots' (expected e.g. 16M, 512K, 1G)");
  CHECK(parse_size("0").error().message() == "invalid size '0'");
  CHECK(parse_size("99999999999999G").error().message() == "invalid size '99999999999999G'");
}

TEST_CASE("Options: image, memory, cpus, arguments after --") {
  auto o = parse({"--mem", "8M", "--cpus", "2", "--cmdline", "netdev.ip=198.18.0.2/15", "img.elf", "--", "a", "b c"});
  REQUIRE(o);
  CHECK(o->image == "img.elf");
  CHECK(o->memory_bytes == 8ull << 20);
  CHECK(o->cpus == 2);
  CHECK(o->args == std::vector<std::string>{"a", "b c"});
  CHECK(build_cmdline(*o) == "netdev.ip=198.18.0.2/15 -- a \"b c\"");
}

TEST_CASE("Options: repeatable --net and --disk take one value each, before or after the image") {
  auto o = parse({"--net", "tap0", "--disk", "a.img:ro", "img.elf", "--net", "tap1", "--", "x"});
  REQUIRE(o);
  CHECK(o->image == "img.elf");
  CHECK(o->nets == std::vector<std::string>{"tap0", "tap1"});
  CHECK(o->disks == std::vector<std::string>{"a.img:ro"});
  CHECK(o->args == std::vector<std::string>{"x"});
}

TEST_CASE("Options: --mac per --net, checked") {
  auto o = parse({"--net", "tap0", "--mac", "02:00:c6:12:00:02", "img.elf"});
  REQUIRE(o);
  CHECK(o->macs == std::vector<std::string>{"02:00:c6:12:00:02"});
  CHECK(*parse_mac("02:00:c6:12:00:02") == std::array<uint8_t, 6>{0x02, 0x00, 0xc6, 0x12, 0x00, 0x02});
  CHECK(parse_mac("02:00:c6:12:00").error().message() ==
        "invalid MAC address '02:00:c6:12:00' (expected six hex bytes, 02:00:00:00:00:01)");
  CHECK(parse_mac("01:00:5e:00:00:01").error().message() == "MAC address '01:00:5e:00:00:01' is a multicast address");
  auto extra = parse({"--mac", "02:00:00:00:00:01", "img.elf"});
  REQUIRE_FALSE(extra);
  CHECK(extra.error().message() == "more --mac than --net/--net-fd options");
  auto fd = parse({"--net-fd", "3", "--mac", "02:00:00:00:00:07", "img.elf"});
  REQUIRE(fd);
  CHECK(fd->net_fds == std::vector<int>{3});
}

TEST_CASE("Options: no arguments means no separator") {
  auto o = parse({"--cmdline", "x=1", "img.elf"});
  REQUIRE(o);
  CHECK(build_cmdline(*o) == "x=1");
  auto o2 = parse({"img.elf", "--", "only"});
  REQUIRE(o2);
  CHECK(build_cmdline(*o2) == "-- only");
}

TEST_CASE("Options: errors are usage errors") {
  auto missing = parse({});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message().find("image is required") != std::string::npos);
  auto bad_mem = parse({"--mem", "lots", "img.elf"});
  REQUIRE_FALSE(bad_mem);
  CHECK(bad_mem.error().message() == "invalid size 'lots' (expected e.g. 16M, 512K, 1G)");
  auto bad_protocol = parse({"--protocol", "bios", "img.elf"});
  REQUIRE_FALSE(bad_protocol);
  CHECK(bad_protocol.error().message() == "unknown --protocol 'bios' (auto, lean, linux, pvh, multiboot)");
  auto bad_cpus = parse({"--cpus", "0", "img.elf"});
  CHECK_FALSE(bad_cpus);
}

TEST_CASE("Options: --help exits 0 with the usage text") {
  std::optional<int> exit_now;
  auto r = parse({"--help"}, &exit_now);
  REQUIRE_FALSE(r);
  REQUIRE(exit_now);
  CHECK(*exit_now == 0);
  CHECK(r.error().message().find("--mem") != std::string::npos);
}
