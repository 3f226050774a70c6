// abi_check: verifies from inside the guest the entry state docs/guest-abi.md promises,
// prints one line per check and "abi_check: PASS" or "abi_check: FAIL (n)".
#include "rt/boot.h"
#include "rt/console.h"
#include "rt/string.h"
#include "rt/time.h"

extern "C" char __image_start[], __image_end[];

namespace {

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) ++failures;
  rt::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
}

uint64_t read_rflags() {
  uint64_t f;
  __asm__ volatile("pushfq; popq %0" : "=r"(f));
  return f;
}
uint16_t read_cs() {
  uint16_t cs;
  __asm__ volatile("movw %%cs, %0" : "=r"(cs));
  return cs;
}

}  // namespace

extern "C" int main(int argc, char** argv) {
  const vmm_boot_info* bi = rt::boot_info();
  check(bi->magic == VMM_BOOT_INFO_MAGIC && bi->version == VMM_ABI_VERSION, "boot info magic and version");
  check(bi->size >= sizeof(vmm_boot_info), "boot info size");
  check((read_cs() & 3) == 3, "running at CPL3");
  uint64_t flags = read_rflags();
  // The VMM enters with IF = 0, but CPL3 code under a PVM host observes the host's IF = 1;
  // no interrupt is ever delivered to a lean guest either way, so only report it.
  rt::printf("info RFLAGS.IF = %d\n", (int)((flags >> 9) & 1));
  check(((flags >> 12) & 3) == 0, "RFLAGS.IOPL = 0 (ports granted by the TSS bitmap)");
  check(bi->vcpu_count >= 1, "vcpu_count >= 1");
  check(bi->tsc_hz > 100000000ull, "tsc_hz plausible");
  check(bi->hypercall_port_base == VMM_HC_PORT_BASE && bi->hypercall_port_count == VMM_HC_PORT_COUNT,
        "hypercall ports");

  // Memory map: sorted, inside RAM, the image and a FREE region present.
  const auto* m = reinterpret_cast<const vmm_mem_region*>(bi->memmap);
  bool sorted = true, image_found = false, free_found = false, inside = true;
  for (uint32_t i = 0; i < bi->memmap_count; ++i) {
    if (i > 0 && m[i].base < m[i - 1].base + m[i - 1].size) sorted = false;
    if (m[i].type != VMM_MEM_MMIO && m[i].base + m[i].size > bi->ram_size) inside = false;
    if (m[i].type == VMM_MEM_IMAGE && m[i].base <= (uintptr_t)__image_start &&
        m[i].base + m[i].size >= (uintptr_t)__image_end)
      image_found = true;
    if (m[i].type == VMM_MEM_FREE && m[i].size > 0) free_found = true;
  }
  check(bi->memmap_count >= 3 && sorted && inside, "memory map sorted and inside RAM");
  check(image_found, "memory map covers the image");
  check(free_found, "memory map has free RAM");

  // Stack: the initial stack region contains our stack pointer.
  uint64_t rsp;
  __asm__ volatile("movq %%rsp, %0" : "=r"(rsp));
  bool stack_ok = false;
  for (uint32_t i = 0; i < bi->memmap_count; ++i)
    if (m[i].type == VMM_MEM_STACK && rsp >= m[i].base && rsp < m[i].base + m[i].size) stack_ok = true;
  check(stack_ok, "stack pointer inside the STACK region");

  // Command line as given by the test: "abi.param=42 -- one two".
  check(rt::param("abi.param") != nullptr && strcmp(rt::param("abi.param"), "42") == 0, "runtime parameter");
  check(argc == 3 && strcmp(argv[1], "one") == 0 && strcmp(argv[2], "two") == 0, "application arguments");

  // Entropy: not all zero.
  bool nonzero = false;
  for (unsigned i = 0; i < sizeof bi->entropy; ++i) nonzero |= bi->entropy[i] != 0;
  check(nonzero, "entropy present");

  // Clock: advances, wall clock after 2020.
  uint64_t t0 = rt::now_ns();
  for (int i = 0; i < 100000; ++i) __asm__ volatile("" ::: "memory");
  uint64_t t1 = rt::now_ns();
  check(t1 > t0, "guest clock advances");
  check(rt::wallclock_ns() > 1577836800ll * 1000000000ll, "wall clock after 2020");

  // SSE usable, MXCSR and x87 control word at their reset defaults.
  uint32_t mxcsr;
  uint16_t fcw;
  __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
  __asm__ volatile("fnstcw %0" : "=m"(fcw));
  check(mxcsr == 0x1f80, "MXCSR = 0x1f80");
  check(fcw == 0x37f, "x87 FCW = 0x37f");
  volatile double a = 1.5, b = 2.25;
  check(a * b == 3.375, "SSE arithmetic");

  // Boot info must not be writable from the guest: covered by the host test reading it
  // back (a write here would fault and end the run).

  if (failures == 0) {
    rt::print("abi_check: PASS\n");
  } else {
    rt::printf("abi_check: FAIL (%d)\n", failures);
  }
  return failures;
}
