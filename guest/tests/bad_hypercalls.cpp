// bad_hypercalls: a hostile guest. Every malformed hypercall must be rejected (an error
// result where a block is readable, nothing at all where it is not) and the guest must
// keep running. It reports each outcome, then exits 0; the host test checks the report
// and the VMM's counters.
#include "rt/boot.h"
#include "rt/console.h"
#include "rt/hypercall.h"

namespace {

int failures = 0;

void expect(const char* what, int64_t got, int64_t want) {
  bool ok = got == want;
  if (!ok) ++failures;
  rt::printf("%s %s: result %ld (want %ld)\n", ok ? "ok  " : "FAIL", what, (long)got, (long)want);
}

void raw_out32(uint16_t port, uint32_t value) {
  __asm__ volatile("outl %0, %w1" : : "a"(value), "Nd"(port) : "memory");
}
void raw_out8(uint16_t port, uint8_t value) {
  __asm__ volatile("outb %0, %w1" : : "a"(value), "Nd"(port) : "memory");
}
void raw_out16(uint16_t port, uint16_t value) {
  __asm__ volatile("outw %0, %w1" : : "a"(value), "Nd"(port) : "memory");
}
uint32_t raw_in32(uint16_t port) {
  uint32_t v;
  __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}

}  // namespace

extern "C" int main(int, char**) {
  const uint64_t ram = rt::boot_info()->ram_size;
  const uint16_t console_port = VMM_HC_PORT_BASE + VMM_HC_CONSOLE_WRITE;
  rt::flush();

  // Console write whose buffer lies outside RAM, wraps around, or is too long.
  vmm_hc_console_write cw{};
  cw.data = ram - 8;
  cw.length = 16;
  expect("console buffer crossing end of RAM", rt::hypercall(VMM_HC_CONSOLE_WRITE, &cw), -VMM_EFAULT);
  cw.data = ~uint64_t{0} - 4;
  cw.length = 16;
  expect("console buffer address+length overflow", rt::hypercall(VMM_HC_CONSOLE_WRITE, &cw), -VMM_EFAULT);
  cw.data = 0x100000;
  cw.length = VMM_CONSOLE_WRITE_MAX + 1;
  expect("console length above maximum", rt::hypercall(VMM_HC_CONSOLE_WRITE, &cw), -VMM_EINVAL);
  cw.length = 0;
  expect("console length zero", rt::hypercall(VMM_HC_CONSOLE_WRITE, &cw), 0);

  // Blocks the VMM cannot read: outside RAM, crossing its end, misaligned. Nothing may be
  // written anywhere; the VMM counts and ignores them.
  raw_out32(console_port, static_cast<uint32_t>(ram));            // just past RAM
  raw_out32(console_port, static_cast<uint32_t>(ram - 8));        // crosses the end
  raw_out32(console_port, 0xfffffff8u);                           // far outside
  alignas(16) static char misaligned_block[64];
  raw_out32(console_port, static_cast<uint32_t>(reinterpret_cast<uintptr_t>(misaligned_block + 3)));
  expect("misaligned block left untouched", misaligned_block[3], 0);

  // Wrong access sizes and directions on hypercall ports.
  raw_out8(console_port, 1);
  raw_out16(console_port, 1);
  expect("read from a hypercall port", raw_in32(console_port), 0xffffffff);

  // Unknown hypercall number within the port range.
  vmm_hc_boot_ready unknown{};
  expect("unknown hypercall", rt::hypercall(9, &unknown), -VMM_ENOSYS);

  // Starting a CPU that does not exist, or the boot CPU.
  vmm_hc_cpu_start cs{};
  cs.cpu = 4096;
  expect("cpu_start of a missing cpu", rt::hypercall(VMM_HC_CPU_START, &cs), -VMM_EINVAL);
  cs.cpu = 0;
  expect("cpu_start of the boot cpu", rt::hypercall(VMM_HC_CPU_START, &cs), -VMM_EINVAL);

  // Notify of a device that does not exist.
  vmm_hc_notify nt{};
  nt.device = 77;
  nt.queue_mask = 1;
  expect("notify of a missing device", rt::hypercall(VMM_HC_NOTIFY, &nt), -VMM_EINVAL);

  // A wait whose deadline is already past returns at once with a timeout.
  vmm_hc_wait w{};
  w.deadline_ns = 1;
  expect("wait with a past deadline", rt::hypercall(VMM_HC_WAIT, &w), 0);
  expect("wait reports timeout", static_cast<int64_t>(w.events & VMM_WAIT_TIMEOUT), VMM_WAIT_TIMEOUT);

  rt::printf("bad_hypercalls: survived, %d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
