// httpd, the HTTP unikernel: brings up the NIC and the stack from the command line
// (see options.h), serves the embedded document root, and runs the event loop forever.
// Prints one line when it is ready to serve and signals boot-ready at that moment.
#include "docroot.h"
#include "net/event_loop.h"
#include "nic.h"
#include "options.h"
#include "rt/boot.h"
#include "rt/console.h"
#include "rt/hypercall.h"
#include "rt/time.h"

namespace {

// Waits with the wait hypercall: one exit per idle period, none while work is pending.
class GuestWaiter final : public gnet::Waiter {
 public:
  uint64_t now_ns() override { return rt::now_ns(); }
  void wait_until(uint64_t deadline_ns) override {
    if (rt::hc_wait(deadline_ns) & VMM_WAIT_STOP_REQUESTED) {
      rt::print("httpd: stop requested\n");
      rt::flush();
      rt::hc_exit(0);
    }
  }
};

const char* lookup_param(const char* name, void*) { return rt::param(name); }

// The ISN and hash secret comes from the host's fresh entropy in the boot info.
void seed_key(uint8_t key[16]) {
  const vmm_boot_info* info = rt::boot_info();
  for (int i = 0; i < 16; ++i) key[i] = info ? static_cast<uint8_t>(info->entropy[i] ^ info->entropy[16 + i]) : 0;
  uint64_t tsc = rt::rdtsc();
  for (int i = 0; i < 8; ++i) key[i] ^= static_cast<uint8_t>(tsc >> (8 * i));
}

}  // namespace

extern "C" int main(int, char**) {
  httpd::HttpdOptions options;
  if (const char* bad = httpd::parse_httpd_options(lookup_param, nullptr, &options)) {
    rt::printf("httpd: invalid parameter %s\n", bad);
    return 2;
  }
  gnet::NetDevice* nic = httpd_open_nic();
  if (nic == nullptr) {
    rt::printf("httpd: no network device\n");
    return 1;
  }
  seed_key(options.stack.tcp.isn_key);

  // Static storage: the stack's pools live in .lbss (after the small variables),
  // untouched until connections use them.
  static gnet::Stack stack __attribute__((section(".lbss")))(*nic, options.stack);
  static httpd::Docroot docroot(httpd_docroot_files, httpd_docroot_count);
  int64_t wallclock_offset = rt::wallclock_ns() - static_cast<int64_t>(rt::now_ns());
  static httpd::HttpServer server(stack.tcp(), docroot, options.http, wallclock_offset);
  if (!server.start()) {
    rt::printf("httpd: cannot listen on port %u\n", options.http.port);
    return 1;
  }
  if (options.announce) {
    stack.announce();
    nic->flush();
  }

  char ip[16];
  gnet::format_ipv4(options.stack.ip.address, ip);
  rt::printf("httpd: listening on %s:%u\n", ip, options.http.port);
  rt::hc_boot_ready();  // carries the buffered line to the console: one exit for both

  static GuestWaiter waiter;
  static gnet::EventLoop loop(*nic, stack, server, waiter);
  for (;;) loop.step();
}
