// spin: says it is ready, then loops forever at CPL3 without a single exit. Only a
// timeout, stop() or kill() ends it.
#include "rt/console.h"
#include "rt/hypercall.h"

extern "C" int main(int, char**) {
  rt::print("spin: spinning\n");
  rt::flush();
  rt::hc_boot_ready();
  for (;;) __asm__ volatile("" ::: "memory");
}
