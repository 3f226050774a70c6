// smp: starts every other vCPU with the cpu_start hypercall; each marks itself present
// and parks in wait(). The boot CPU waits (bounded by the guest clock) until all have
// checked in, prints the count and exits 0, or 1 on timeout.
#include "rt/boot.h"
#include "rt/console.h"
#include "rt/hypercall.h"
#include "rt/time.h"

namespace {

constexpr unsigned kMaxCpus = 16;
volatile uint32_t present[kMaxCpus];
alignas(16) char stacks[kMaxCpus][8192];

void secondary(void* arg) {
  auto cpu = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(arg));
  __atomic_store_n(&present[cpu], 1u, __ATOMIC_RELEASE);
  for (;;) rt::hc_wait(~uint64_t{0});
}

}  // namespace

extern "C" int main(int, char**) {
  uint32_t n = rt::boot_info()->vcpu_count;
  if (n > kMaxCpus) n = kMaxCpus;
  for (uint32_t cpu = 1; cpu < n; ++cpu) {
    int64_t r = rt::hc_cpu_start(cpu, secondary, stacks[cpu] + sizeof stacks[cpu],
                                 reinterpret_cast<void*>(uintptr_t{cpu}));
    if (r != 0) {
      rt::printf("smp: cpu_start(%u) failed: %ld\n", cpu, (long)r);
      return 1;
    }
  }
  uint64_t deadline = rt::now_ns() + 5000000000ull;
  uint32_t seen = 1;
  while (rt::now_ns() < deadline) {
    seen = 1;
    for (uint32_t cpu = 1; cpu < n; ++cpu) seen += __atomic_load_n(&present[cpu], __ATOMIC_ACQUIRE);
    if (seen == n) break;
  }
  rt::printf("smp: %u of %u cpus running\n", seen, n);
  return seen == n ? 0 : 1;
}
