// Guest clocks from rdtsc and the (TSC, wall clock) pair in the boot info: no exits.
#pragma once

#include <stdint.h>

namespace rt {
inline uint64_t rdtsc() {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t{hi} << 32) | lo;
}
// Nanoseconds since boot (the clock of the wait hypercall's deadline).
uint64_t now_ns();
// Nanoseconds since the UNIX epoch.
int64_t wallclock_ns();
void set_clock(uint64_t tsc_hz, uint64_t boot_tsc, int64_t boot_wallclock_ns);
}  // namespace rt
