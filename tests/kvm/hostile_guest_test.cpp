// A guest that abuses the hypercall interface is answered with errors and keeps
// running; limits hold.
#include <catch2/catch.hpp>

#include "guest_runner.h"
#include "kvm_skip.h"

using namespace vmm;
using namespace vmm::test;

TEST_CASE("Malformed hypercalls are rejected without harm") {
  auto r = run_guest("bad_hypercalls.elf", "", 4ull << 20);
  INFO(r.console);
  CHECK(r.exit.reason == ExitReason::GuestExit);
  CHECK(r.exit.status == 0);
  CHECK(r.console.find("FAIL") == std::string::npos);
  CHECK(r.console.find("bad_hypercalls: survived, 0 failures") != std::string::npos);
  // Four unreadable blocks, a byte and a word write, a read, and the unknown number.
  CHECK(r.stats.hypercalls_rejected == 8);
}

TEST_CASE("Console output beyond the limit is dropped and counted") {
  auto kvm = kvm_or_skip();
  auto image = Image::open(guest_path("waiter.elf"));
  REQUIRE(image);
  auto console = std::make_shared<ConsoleCapture>();
  InstanceConfig config;
  config.kvm = kvm;
  config.image = *image;
  config.memory_bytes = 4 << 20;
  config.cmdline = "-- flood=100000";
  config.console_limit = 1000;
  config.console = [console](std::string_view s) { console->append(s); };
  auto instance = Instance::create(std::move(config));
  REQUIRE(instance);
  REQUIRE((*instance)->start());
  while ((*instance)->times().boot_ready == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  (*instance)->stop(std::chrono::seconds(5));
  (*instance)->wait();
  CHECK(console->text().size() == 1000);
  auto s = (*instance)->stats();
  CHECK(s.console_bytes == 1000);
  CHECK(s.console_dropped >= 99000);
}
