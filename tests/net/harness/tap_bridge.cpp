// tap_bridge: forwards Ethernet frames between a host TAP interface (the host's end, with
// its address) and another interface a guest's VMM holds (its tap), impairing both
// directions: the netem fallback for tests of the real unikernel on kernels without
// sch_netem.
//
//   tap_bridge --host-tap NAME --guest-if NAME [--impair loss=P,reorder=P,dup=P] [--seed N]
//
// Runs until SIGINT/SIGTERM, then prints its impairment counters.
#include <poll.h>
#include <signal.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "impaired_device.h"
#include "packet_device.h"
#include "tap_device.h"

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// Sends every received frame out of `to`.
class Forwarder final : public gnet::FrameSink {
 public:
  explicit Forwarder(gnet::NetDevice& to) : to_(to) {}
  void on_frame(const uint8_t* frame, size_t length) override {
    gnet::Slice piece{frame, length};
    to_.send(&piece, 1);
  }

 private:
  gnet::NetDevice& to_;
};

int usage() {
  std::fprintf(stderr, "usage: tap_bridge --host-tap NAME --guest-if NAME [--impair loss=P,reorder=P,dup=P] [--seed N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host_tap, guest_if, impair_spec;
  uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key == "--host-tap") host_tap = argv[i + 1];
    else if (key == "--guest-if") guest_if = argv[i + 1];
    else if (key == "--impair") impair_spec = argv[i + 1];
    else if (key == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else return usage();
  }
  if (host_tap.empty() || guest_if.empty()) return usage();
  nettest::Impairment impairment;
  if (!impair_spec.empty() && !nettest::parse_impairment(impair_spec, &impairment)) return usage();

  std::string error;
  const uint8_t no_mac[6] = {};
  std::unique_ptr<nettest::TapDevice> host(nettest::TapDevice::open(host_tap, no_mac, &error));
  if (!host) return std::fprintf(stderr, "tap_bridge: %s\n", error.c_str()), 1;
  std::unique_ptr<nettest::PacketDevice> guest(nettest::PacketDevice::open(guest_if, &error));
  if (!guest) return std::fprintf(stderr, "tap_bridge: %s\n", error.c_str()), 1;
  nettest::ImpairedDevice impaired(*guest, impairment, impairment, seed);

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  Forwarder to_guest(impaired), to_host(*host);
  std::printf("tap_bridge: %s <-> %s\n", host_tap.c_str(), guest_if.c_str());
  std::fflush(stdout);
  while (!g_stop) {
    pollfd fds[2] = {{host->fd(), POLLIN, 0}, {guest->fd(), POLLIN, 0}};
    if (::poll(fds, 2, 100) < 0) continue;
    while (host->receive(to_guest, 64) > 0 || impaired.receive(to_host, 64) > 0) {
      impaired.flush();
      host->flush();
    }
    impaired.flush();
    host->flush();
  }
  std::printf("impair: dropped=%" PRIu64 " duplicated=%" PRIu64 " reordered=%" PRIu64 "\n", impaired.dropped(),
              impaired.duplicated(), impaired.reordered());
  return 0;
}
