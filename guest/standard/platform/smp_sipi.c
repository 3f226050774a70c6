/* Starts the second vCPU the way a PC operating system does (Intel SDM vol. 3A 8.4.4.1,
 * MP spec B.4): INIT IPI, then STARTUP IPIs with the vector of a real-mode trampoline,
 * through the boot CPU's local APIC interrupt command register. */
#include "../rt/linux64_boot.h"

extern char trampoline_start[], trampoline_end[];

enum { LAPIC = 0xfee00000u, APIC_ID = 0x20, APIC_SVR = 0xf0, APIC_ICR_LOW = 0x300, APIC_ICR_HIGH = 0x310 };
enum { TRAMPOLINE = 0x10000, AP_ID = 0x10100, AP_FLAG = 0x10101 };

static void lapic_write(uint32_t reg, uint32_t v) { PEEK(uint32_t, LAPIC + reg) = v; }
static uint32_t lapic_read(uint32_t reg) { return PEEK(uint32_t, LAPIC + reg); }

static void send_ipi(uint32_t apic_id, uint32_t command) {
  lapic_write(APIC_ICR_HIGH, apic_id << 24);
  lapic_write(APIC_ICR_LOW, command);
  for (int i = 0; i < 1000 && (lapic_read(APIC_ICR_LOW) & (1u << 12)); ++i) {
  } /* delivery status: send pending */
}

static int wait_for_ap(unsigned spins) {
  while (PEEK(uint8_t, AP_FLAG) == 0 && spins-- > 0) __asm__ volatile("pause");
  return PEEK(uint8_t, AP_FLAG) != 0;
}

void guest_main(const struct entry_state* e) {
  rt_set_cmdline(linux64_cmdline(e));
  rt_boot_timer();
  const uint32_t bsp = lapic_read(APIC_ID) >> 24;
  CHECK_EQ("bsp apic id", bsp, 0);
  lapic_write(APIC_SVR, 0x1ff); /* software-enable the local APIC, spurious vector 0xff */
  for (char* p = trampoline_start; p < trampoline_end; ++p) PEEK(char, TRAMPOLINE + (p - trampoline_start)) = *p;
  PEEK(uint8_t, AP_FLAG) = 0;

  send_ipi(1, 0x4500);                            /* INIT, level assert */
  send_ipi(1, 0x4600 | (TRAMPOLINE >> 12));       /* STARTUP, vector 0x10 */
  if (!wait_for_ap(200000)) send_ipi(1, 0x4600 | (TRAMPOLINE >> 12)); /* the second SIPI */
  wait_for_ap(200000);

  CHECK_EQ("ap started", PEEK(uint8_t, AP_FLAG), 1);
  CHECK_EQ("ap apic id", PEEK(uint8_t, AP_ID), 1);
  rt_finish();
}
