#include "rt/time.h"

namespace rt {
namespace {
uint64_t boot_tsc = 0;
uint64_t ns_per_tsc_q32 = 0;  // (1e9 << 32) / tsc_hz: ns = (delta * mult) >> 32
int64_t boot_wallclock = 0;
}  // namespace

void set_clock(uint64_t tsc_hz, uint64_t tsc, int64_t wallclock_ns) {
  boot_tsc = tsc;
  boot_wallclock = wallclock_ns;
  ns_per_tsc_q32 = tsc_hz ? (uint64_t{1000000000} << 32) / tsc_hz : 0;
}

uint64_t now_ns() {
  uint64_t delta = rdtsc() - boot_tsc;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * ns_per_tsc_q32) >> 32);
}

int64_t wallclock_ns() { return boot_wallclock + static_cast<int64_t>(now_ns()); }

}  // namespace rt
