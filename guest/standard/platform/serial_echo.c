/* Reads one line from the COM1 UART by polling the line status register (16550 LSR bit
 * 0, data ready) and prints it back as "echo: <line>". Gives up after `polls=` reads. */
#include "../rt/linux64_boot.h"

enum { COM1 = 0x3f8, LSR = 5, LSR_DATA_READY = 1 };

void guest_main(const struct entry_state* e) {
  rt_set_cmdline(linux64_cmdline(e));
  rt_boot_timer();
  rt_puts("ready\n");
  char line[80];
  unsigned n = 0;
  const uint64_t polls = rt_arg_u64("polls", 100000);
  for (uint64_t i = 0; i < polls && n < sizeof line - 1; ++i) {
    if (!(inb(COM1 + LSR) & LSR_DATA_READY)) continue;
    const char c = (char)inb(COM1);
    if (c == '\n') break;
    line[n++] = c;
  }
  line[n] = 0;
  rt_puts("echo: ");
  rt_puts(line);
  rt_putc('\n');
  CHECK("a line arrived", n > 0);
  rt_finish();
}
