// tap_httpd: the guest network stack and httpd in a host process, attached to a TAP
// interface, so real clients can be tested before (and beside) the VMM's virtio path.
// The event loop is the guest's (gnet::EventLoop); only the Waiter differs: poll() on the
// TAP descriptor with the next timer deadline, as the guest uses the wait hypercall.
//
//   tap_httpd --tap NAME [name=value ...] [--impair loss=P,reorder=P,dup=P] [--seed N]
//
// name=value are httpd's parameters (options.h), e.g. netdev.ip=198.18.0.2/15:198.18.0.1.
// Prints "httpd: listening on <ip>:<port>" when ready. SIGUSR1 prints the loop counters
// (without counting as a loop iteration); SIGINT/SIGTERM print all counters and exit.
#include <poll.h>
#include <signal.h>
#include <time.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "docroot.h"
#include "impaired_device.h"
#include "net/event_loop.h"
#include "options.h"
#include "server.h"
#include "tap_device.h"

namespace {

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_dump = 0;

void on_signal(int sig) {
  if (sig == SIGUSR1) {
    g_dump = 1;
  } else {
    g_stop = 1;
  }
}

uint64_t clock_ns(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

class PollWaiter final : public gnet::Waiter {
 public:
  PollWaiter(int fd, uint64_t start) : fd_(fd), start_(start) {}
  uint64_t now_ns() override { return clock_ns(CLOCK_MONOTONIC) - start_; }
  void wait_until(uint64_t deadline_ns) override {
    for (;;) {
      int timeout = -1;
      if (deadline_ns != UINT64_MAX) {
        uint64_t now = now_ns();
        if (deadline_ns <= now) return;
        uint64_t ms = (deadline_ns - now + 999'999) / 1'000'000;
        timeout = ms > 3'600'000 ? 3'600'000 : static_cast<int>(ms);
      }
      pollfd p{fd_, POLLIN, 0};
      int r = poll(&p, 1, timeout);
      if (r >= 0 || errno != EINTR || g_stop) return;
      if (g_dump && dump) {  // a stats request is not a loop iteration: wait on
        g_dump = 0;
        dump();
      }
    }
  }
  void (*dump)() = nullptr;

 private:
  int fd_;
  uint64_t start_;
};

struct Harness {
  std::unique_ptr<nettest::TapDevice> tap;
  std::unique_ptr<nettest::ImpairedDevice> impaired;
  std::unique_ptr<gnet::Stack> stack;
  std::unique_ptr<httpd::HttpServer> server;
  std::unique_ptr<gnet::EventLoop> loop;
};
Harness* g_harness = nullptr;

void print_loop_stats() {
  const gnet::LoopStats& s = g_harness->loop->stats();
  std::fprintf(stderr, "loop: iterations=%" PRIu64 " waits=%" PRIu64 " frames=%" PRIu64 "\n", s.iterations, s.waits,
               s.frames);
}

void print_all_stats() {
  print_loop_stats();
  const gnet::Stats& t = g_harness->stack->stats();
  std::fprintf(stderr,
               "tcp: accepted=%" PRIu64 " retransmits=%" PRIu64 " fast_retransmits=%" PRIu64 " timeouts=%" PRIu64
               " out_of_order=%" PRIu64 " refused_full=%" PRIu64 " time_wait_recycled=%" PRIu64
               " backlog_drops=%" PRIu64 " rst_sent=%" PRIu64 " bad_checksum=%" PRIu64 " tx_device_full=%" PRIu64 "\n",
               t.tcp_accepted, t.tcp_retransmits, t.tcp_fast_retransmits, t.tcp_timeouts, t.tcp_out_of_order,
               t.tcp_refused_table_full, t.tcp_time_wait_recycled, t.tcp_backlog_drops, t.tcp_resets_sent,
               t.tcp_bad_checksum, t.tx_device_full);
  const httpd::HttpStats& h = g_harness->server->stats();
  std::fprintf(stderr,
               "http: connections=%" PRIu64 " requests=%" PRIu64 " 2xx=%" PRIu64 " 4xx=%" PRIu64 " 5xx=%" PRIu64
               " timeouts=%" PRIu64 " resets=%" PRIu64 "\n",
               h.connections, h.requests, h.responses_2xx, h.responses_4xx, h.responses_5xx, h.timeouts, h.resets);
  if (g_harness->impaired) {
    std::fprintf(stderr, "impair: dropped=%" PRIu64 " duplicated=%" PRIu64 " reordered=%" PRIu64 "\n",
                 g_harness->impaired->dropped(), g_harness->impaired->duplicated(), g_harness->impaired->reordered());
  }
}

const char* lookup(const char* name, void* context) {
  auto* params = static_cast<std::map<std::string, std::string>*>(context);
  auto it = params->find(name);
  return it == params->end() ? nullptr : it->second.c_str();
}

int usage() {
  std::fprintf(stderr, "usage: tap_httpd --tap NAME [name=value ...] [--impair loss=P,reorder=P,dup=P] [--seed N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string tap_name;
  std::map<std::string, std::string> params;
  nettest::Impairment impairment;
  bool impair = false;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--tap" && i + 1 < argc) {
      tap_name = argv[++i];
    } else if (a == "--impair" && i + 1 < argc) {
      if (!nettest::parse_impairment(argv[++i], &impairment)) return usage();
      impair = true;
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a.find('=') != std::string::npos) {
      params[a.substr(0, a.find('='))] = a.substr(a.find('=') + 1);
    } else {
      return usage();
    }
  }
  if (tap_name.empty()) return usage();

  httpd::HttpdOptions options;
  if (const char* bad = httpd::parse_httpd_options(lookup, &params, &options)) {
    std::fprintf(stderr, "tap_httpd: invalid parameter %s\n", bad);
    return 2;
  }
  uint64_t start = clock_ns(CLOCK_MONOTONIC);
  for (int i = 0; i < 16; ++i) options.stack.tcp.isn_key[i] = static_cast<uint8_t>((start ^ seed) >> (i % 8 * 8)) ^ static_cast<uint8_t>(i * 29);

  Harness h;
  g_harness = &h;
  const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x02};
  std::string error;
  h.tap.reset(nettest::TapDevice::open(tap_name, mac, &error));
  if (!h.tap) {
    std::fprintf(stderr, "tap_httpd: %s\n", error.c_str());
    return 1;
  }
  gnet::NetDevice* nic = h.tap.get();
  if (impair) {
    h.impaired = std::make_unique<nettest::ImpairedDevice>(*h.tap, impairment, impairment, seed);
    nic = h.impaired.get();
  }
  h.stack = std::make_unique<gnet::Stack>(*nic, options.stack);
  static httpd::Docroot docroot(httpd_docroot_files, httpd_docroot_count);
  int64_t wallclock_offset = static_cast<int64_t>(clock_ns(CLOCK_REALTIME)) - static_cast<int64_t>(start);
  h.server = std::make_unique<httpd::HttpServer>(h.stack->tcp(), docroot, options.http, wallclock_offset);
  if (!h.server->start()) {
    std::fprintf(stderr, "tap_httpd: cannot listen on port %u\n", options.http.port);
    return 1;
  }
  PollWaiter waiter(h.tap->fd(), start);
  waiter.dump = print_loop_stats;
  h.loop = std::make_unique<gnet::EventLoop>(*nic, *h.stack, *h.server, waiter);

  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: poll() must return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);

  if (options.announce) {
    h.stack->announce();
    nic->flush();
  }
  char ip[16];
  gnet::format_ipv4(options.stack.ip.address, ip);
  std::printf("httpd: listening on %s:%u\n", ip, options.http.port);
  std::fflush(stdout);

  while (!g_stop) {
    if (g_dump) {
      g_dump = 0;
      print_loop_stats();
    }
    h.loop->step();
  }
  print_all_stats();
  return 0;
}
