// Ending instances from outside: timeout, stop (graceful and forced), kill.
#include <catch2/catch.hpp>

#include "guest_runner.h"
#include "kvm_skip.h"

using namespace vmm;
using namespace vmm::test;
using namespace std::chrono_literals;

namespace {
GuestRun started(const std::string& image, const std::string& cmdline = "") {
  GuestRun g = make_guest(image, cmdline);
  REQUIRE(g.instance->start());
  while (g.instance->times().boot_ready == 0) std::this_thread::sleep_for(1ms);
  return g;
}
}  // namespace

TEST_CASE("A spinning guest is ended by its timeout") {
  auto kvm = kvm_or_skip();
  auto image = Image::open(guest_path("spin.elf"));
  REQUIRE(image);
  InstanceConfig config;
  config.kvm = kvm;
  config.image = *image;
  config.memory_bytes = 4 << 20;
  config.timeout = 200ms;
  auto instance = Instance::create(std::move(config));
  REQUIRE(instance);
  auto exit = (*instance)->run();
  REQUIRE(exit);
  CHECK(exit->reason == ExitReason::Timeout);
  CHECK(exit->message == "timeout after 200 ms");
  auto t = (*instance)->times();
  CHECK(t.exited - t.start_called >= 200'000'000);
}

TEST_CASE("stop() on a spinning guest kills it after the grace period") {
  GuestRun g = started("spin.elf");
  g.instance->stop(50ms);
  auto exit = g.instance->wait();
  CHECK(exit.reason == ExitReason::Stopped);
  CHECK(exit.message == "stopped: the guest did not exit within the grace period");
}

TEST_CASE("stop() on a waiting guest lets it exit by itself") {
  GuestRun g = started("waiter.elf");
  g.instance->stop(10s);
  auto exit = g.instance->wait();
  CHECK(exit.reason == ExitReason::GuestExit);
  CHECK(g.console->text() == "waiter: stop requested after 0 timeouts\n");
}

TEST_CASE("kill() ends a spinning guest at once, from another thread") {
  GuestRun g = started("spin.elf");
  std::thread killer([&] { g.instance->kill(); });
  killer.join();
  CHECK(g.instance->wait().reason == ExitReason::Killed);
  CHECK(g.instance->state() == Instance::State::Exited);
}

TEST_CASE("An idle guest blocked in wait makes no exits") {
  GuestRun g = started("waiter.elf");
  auto before = g.instance->stats();
  std::this_thread::sleep_for(200ms);
  auto after = g.instance->stats();
  CHECK(after.exits == before.exits);
  g.instance->kill();
  g.instance->wait();
}

TEST_CASE("wait() deadlines wake the guest on time") {
  GuestRun g = started("waiter.elf", "-- tick=10");
  std::this_thread::sleep_for(300ms);
  g.instance->stop(5s);
  g.instance->wait();
  // ~30 ticks in 300 ms; allow a very loaded machine to be slow, never fast.
  unsigned long ticks = 0;
  std::string text = g.console->text();
  REQUIRE(std::sscanf(text.c_str(), "waiter: stop requested after %lu timeouts", &ticks) == 1);
  CHECK(ticks >= 5);
  CHECK(ticks <= 31);
}

TEST_CASE("Starting twice and killing before start are handled") {
  GuestRun g = make_guest("hello.elf");
  g.instance->kill();
  CHECK(g.instance->wait().reason == ExitReason::Killed);
  auto again = g.instance->start();
  REQUIRE_FALSE(again);
  CHECK(again.error().message() == "instance hello.elf: already started");
}

TEST_CASE("on_exit and on_boot_ready run once each") {
  auto kvm = kvm_or_skip();
  auto image = Image::open(guest_path("hello.elf"));
  REQUIRE(image);
  std::atomic<int> ready{0}, exited{0};
  InstanceConfig config;
  config.kvm = kvm;
  config.image = *image;
  config.memory_bytes = 4 << 20;
  config.on_boot_ready = [&] { ++ready; };
  config.on_exit = [&](const ExitInfo& e) {
    CHECK(e.reason == ExitReason::GuestExit);
    ++exited;
  };
  auto instance = Instance::create(std::move(config));
  REQUIRE(instance);
  REQUIRE((*instance)->start());
  (*instance)->wait();
  (*instance).reset();  // joins the vCPU thread: the callback has returned
  CHECK(ready == 1);
  CHECK(exited == 1);
}
