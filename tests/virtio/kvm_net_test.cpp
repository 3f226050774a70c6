// KVM: the host pings a lean guest (net_echo) through a tap inside a network namespace
// this test creates (198.18.0.1/15 host, 198.18.0.2 guest) and always deletes. Skipped
// (exit 77) without root, /dev/net/tun or /dev/kvm.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "kvm_skip.h"
#include "netns.h"
#include "device_guest_catch.h"

using namespace vmm;
using namespace vmm::virtio::test;

namespace {

void require_network() {
  vmm::test::require_root_or_skip("network namespaces and taps need root");
  if (::access("/dev/net/tun", R_OK | W_OK) != 0) {
    std::fprintf(stderr, "SKIP: /dev/net/tun is not available\n");
    std::exit(77);
  }
  vmm::test::kvm_or_skip();
}

bool configure(const NetNamespace& ns, const std::string& tap) {
  return ns.ip("addr add 198.18.0.1/15 dev " + tap) && ns.ip("link set " + tap + " up");
}

// A fresh namespace holding tap `name` at 198.18.0.1/15, opened by the test (fd).
struct TapInNamespace {
  explicit TapInNamespace(const std::string& name) {
    require_network();
    auto created = NetNamespace::create();
    REQUIRE(created.has_value());
    ns.emplace(std::move(*created));
    tap = ns->open_tap(name);
    REQUIRE(tap.valid());
    REQUIRE(configure(*ns, name));
  }
  NetConfig net() const { return {"", tap.get(), std::nullopt}; }
  std::optional<NetNamespace> ns;
  UniqueFd tap;
};

// Pings the running guest three times, lets it exit (count=3), checks the counters.
void ping_and_check(DeviceGuest& g, const NetNamespace& ns) {
  CHECK(ns.ping("198.18.0.2", 3) == 3);
  auto exit = g.instance->wait_for(std::chrono::seconds(10));
  REQUIRE(exit.has_value());
  INFO(g.console->text());
  CHECK(exit->reason == ExitReason::GuestExit);
  CHECK(exit->status == 0);
  const auto stats = g.instance->device_stats();
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].rx_packets >= 4);  // an ARP request and three echo requests
  CHECK(stats[0].tx_packets >= 4);
  CHECK(stats[0].errors == 0);
  CHECK(stats[0].register_errors == 0);
}

}  // namespace

TEST_CASE("PingThroughTapHandedInAsFd: the unprivileged embedder's way", "[kvm][virtio][net]") {
  TapInNamespace t("vt0");
  DeviceGuest g = make_device_guest("net_echo", "-- count=3", {t.net()}, {});
  REQUIRE(g.instance->start().has_value());
  t.tap.reset();  // libvmm holds its own duplicate once started
  ping_and_check(g, *t.ns);
  CHECK(g.instance->device_stats()[0].name == "virtio-net0 (tap vt0)");
}

TEST_CASE("PingThroughTapOpenedByName", "[kvm][virtio][net]") {
  require_network();
  auto ns = NetNamespace::create();
  REQUIRE(ns.has_value());
  REQUIRE(ns->ip("tuntap add dev vt1 mode tap vnet_hdr"));
  REQUIRE(configure(*ns, "vt1"));
  DeviceGuest g = make_device_guest("net_echo", "-- count=3", {{"vt1", -1, std::array<uint8_t, 6>{2, 0, 0, 0, 0, 2}}}, {});
  bool started = false;
  ns->inside([&] { started = g.instance->start().has_value(); });  // the tap is found in the namespace
  REQUIRE(started);
  ping_and_check(g, *ns);
  CHECK(g.console->text().find("mac 02:00:00:00:00:02") != std::string::npos);
}

TEST_CASE("PingThroughRegisterPathDevice", "[kvm][virtio][net]") {
  TapInNamespace t("vt2");
  DeviceGuest g = make_device_guest("net_echo", "-- registers count=3", {t.net()}, {});
  REQUIRE(g.instance->start().has_value());
  ping_and_check(g, *t.ns);
}

TEST_CASE("IdleGuestMakesNoExits: blocked in wait until a frame arrives", "[kvm][virtio][net]") {
  TapInNamespace t("vt3");
  const NetNamespace* ns = &*t.ns;
  DeviceGuest g = make_device_guest("net_echo", "-- count=6", {t.net()}, {});
  REQUIRE(g.instance->start().has_value());
  REQUIRE(ns->ping("198.18.0.2", 1) == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const uint64_t before = g.instance->stats().exits;
  const uint64_t rx_before = g.instance->device_stats()[0].rx_packets;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(g.instance->device_stats()[0].rx_packets == rx_before);  // a quiet namespace (no IPv6 chatter)
  CHECK(g.instance->stats().exits == before);
  // One echo costs a few exits (wake, tx notify, wait), not one per byte or per buffer.
  CHECK(ns->ping("198.18.0.2", 5) == 5);
  CHECK(g.instance->stats().exits - before <= 5 * 4);
  auto exit = g.instance->wait_for(std::chrono::seconds(10));  // count=6: it exits by itself
  REQUIRE(exit.has_value());
  CHECK(exit->reason == ExitReason::GuestExit);
}
