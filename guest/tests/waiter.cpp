// waiter: boot-ready, then blocks in wait() with no deadline (an idle guest: no exits).
// On VMM_WAIT_STOP_REQUESTED it says so and exits 0. With "flood=N" it first writes N
// bytes of console output (for console-limit tests); with "tick=MS" it wakes every MS
// milliseconds and counts the timeouts it saw before the stop.
#include "rt/boot.h"
#include "rt/console.h"
#include "rt/hypercall.h"
#include "rt/string.h"
#include "rt/time.h"

namespace {
uint64_t arg_value(const char* prefix) {
  size_t n = strlen(prefix);
  for (int i = 1; i < rt::argc(); ++i) {
    if (strncmp(rt::argv()[i], prefix, n) == 0) {
      uint64_t v = 0;
      for (const char* p = rt::argv()[i] + n; *p >= '0' && *p <= '9'; ++p) v = v * 10 + static_cast<uint64_t>(*p - '0');
      return v;
    }
  }
  return 0;
}
}  // namespace

extern "C" int main(int, char**) {
  uint64_t flood = arg_value("flood=");
  char line[64];
  memset(line, 'x', sizeof line);
  line[sizeof line - 1] = '\n';
  for (uint64_t done = 0; done < flood; done += sizeof line) rt::console_write(line, sizeof line);
  rt::flush();

  const uint64_t tick_ns = arg_value("tick=") * 1000000;
  uint64_t timeouts = 0;
  rt::hc_boot_ready();
  for (;;) {
    uint64_t deadline = tick_ns ? rt::now_ns() + tick_ns : ~uint64_t{0};
    uint64_t events = rt::hc_wait(deadline);
    if (events & VMM_WAIT_TIMEOUT) ++timeouts;
    if (events & VMM_WAIT_STOP_REQUESTED) {
      rt::printf("waiter: stop requested after %lu timeouts\n", (unsigned long)timeouts);
      return 0;
    }
  }
}
