/* The shortest standard boot: signal boot-ready through Firecracker's boot timer
 * (`boot_timer=mmio|port`), then exit through the debug port. For measuring what the
 * standard boot path costs (docs/standard-guests.md), not a check. */
#include "../rt/linux64_boot.h"

void guest_main(const struct entry_state* e) {
  rt_set_cmdline(linux64_cmdline(e));
  rt_boot_timer();
  outl(0xf4, 0);
  for (;;) __asm__ volatile("cli; hlt");
}
