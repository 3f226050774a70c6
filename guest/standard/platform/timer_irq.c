/* Takes timer interrupts: the in-kernel 8259 PIC (remapped to vectors 0x20-0x2f) and
 * i8254 PIT channel 0 at 1 kHz, delivered through LINT0 (ExtINT) of the boot CPU's local
 * APIC as a BIOS leaves it. Waits for `ticks=` interrupts with HLT and reports how long
 * they took by the TSC (the frequency from CPUID 0x40000010). */
#include "../rt/linux64_boot.h"

volatile uint64_t ticks, unexpected;
extern char irq0_stub[], other_stub[];

enum { VECTORS = 0x30, PIT_HZ = 1193182, TICK_HZ = 1000 };
static uint64_t idt[2 * VECTORS] __attribute__((aligned(16)));

static void set_gate(unsigned vector, void* handler) {
  /* Intel SDM vol. 3A 6.14.1: 64-bit interrupt gate, present, DPL 0, selector __BOOT_CS. */
  const uint64_t h = (uintptr_t)handler;
  idt[2 * vector] = (h & 0xffff) | (0x10ull << 16) | (0x8eull << 40) | ((h >> 16) & 0xffff) << 48;
  idt[2 * vector + 1] = h >> 32;
}

static void init_pic(void) {
  /* 8259A: ICW1 edge + ICW4, ICW2 vector base, ICW3 cascade on IRQ 2, ICW4 8086 mode. */
  outb(0x20, 0x11), outb(0xa0, 0x11);
  outb(0x21, 0x20), outb(0xa1, 0x28);
  outb(0x21, 0x04), outb(0xa1, 0x02);
  outb(0x21, 0x01), outb(0xa1, 0x01);
  outb(0x21, 0xfe), outb(0xa1, 0xff); /* only IRQ 0 */
}

void guest_main(const struct entry_state* e) {
  rt_set_cmdline(linux64_cmdline(e));
  rt_boot_timer();
  const uint64_t want = rt_arg_u64("ticks", 10);
  for (unsigned v = 0x20; v < VECTORS; ++v) set_gate(v, v == 0x20 ? irq0_stub : other_stub);
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } idtr = {sizeof idt - 1, (uintptr_t)idt};
  __asm__ volatile("lidt %0" : : "m"(idtr));
  init_pic();
  const uint16_t divisor = PIT_HZ / TICK_HZ;
  outb(0x43, 0x34); /* channel 0, lobyte/hibyte, mode 2 (rate generator) */
  outb(0x40, divisor & 0xff), outb(0x40, divisor >> 8);

  const uint64_t t0 = rdtsc();
  __asm__ volatile("sti");
  while (ticks < want) __asm__ volatile("hlt");
  __asm__ volatile("cli");
  const uint64_t t1 = rdtsc();

  uint32_t r[4];
  cpuid(0x40000010, 0, r);
  const uint64_t us = r[0] ? (t1 - t0) * 1000 / r[0] : 0;
  rt_puts("timer: ");
  rt_put_dec((uint32_t)ticks);
  rt_puts(" ticks in ");
  rt_put_dec((uint32_t)us);
  rt_puts(" us\n");
  CHECK("ticks counted", ticks >= want);
  CHECK_EQ("no unexpected vectors", unexpected, 0);
  /* At 1 kHz, `want` ticks take want ms; allow a loaded host's scheduling slack. */
  if (r[0]) CHECK("tick rate plausible", us >= want * 1000 / 2 && us <= want * 1000 * 50);
  rt_finish();
}
