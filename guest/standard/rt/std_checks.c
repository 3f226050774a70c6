/* Checks of the boot data every standard protocol hands over: memory map, initrd, BSS.
 * The expectations come from docs/memory-map.md, not from the VMM's code. */
#include "std_rt.h"

enum { PAGE = 4096 };
#define SYSTEM_MEM 0x9fc00ull   /* Firecracker SYSTEM_MEM_START: MP table, e820 reserved */
#define HIGH_MEM 0x100000ull    /* 1 MiB */
#define MMIO_GAP 0xc0000000ull  /* [3 GiB, 4 GiB): no RAM */
#define FOUR_GIB 0x100000000ull

void rt_check_memmap(const struct mem_range* got, unsigned count) {
  const uint64_t ram = rt_arg_u64("ram", 0);
  const struct mem_range want[4] = {
      {0, SYSTEM_MEM, 1},
      {SYSTEM_MEM, HIGH_MEM - SYSTEM_MEM, 2},
      {HIGH_MEM, ram - HIGH_MEM, 1},
      {MMIO_GAP, FOUR_GIB - MMIO_GAP, 2},
  };
  CHECK_EQ("memmap entries", count, 4);
  for (unsigned i = 0; i < count && i < 4; ++i) {
    CHECK_EQ("memmap addr", got[i].addr, want[i].addr);
    CHECK_EQ("memmap size", got[i].size, want[i].size);
    CHECK_EQ("memmap type", got[i].type, want[i].type);
  }
}

void rt_check_initrd(uint64_t addr, uint64_t size) {
  const uint64_t want_size = rt_arg_u64("initrd", 0);
  const uint64_t ram = rt_arg_u64("ram", 0);
  CHECK_EQ("initrd size", size, want_size);
  if (want_size == 0 || size != want_size) return;
  /* As high as possible: page-aligned, ending within the last page of RAM. */
  CHECK_EQ("initrd address", addr, (ram - size) & ~(uint64_t)(PAGE - 1));
  /* The host's pattern, sampled (a full pass costs too many emulated instructions). */
  unsigned bad = 0;
  const uint32_t n = (uint32_t)size, step = n / 61 + 1; /* 32-bit: no libgcc division */
  for (uint32_t i = 0; i < n; i += step) bad += PEEK(uint8_t, addr + i) != (uint8_t)(i * 131 + 7);
  bad += PEEK(uint8_t, addr + n - 1) != (uint8_t)((n - 1) * 131 + 7);
  CHECK_EQ("initrd contents", bad, 0);
}

/* 16 KiB of BSS: its pages lie past the file bytes of the data segment. */
static volatile uint32_t bss_probe[4096];

void rt_check_bss(void) {
  CHECK_EQ("bss zero", bss_probe[0] | bss_probe[2048] | bss_probe[4095], 0);
}

void rt_check_flat_segment(const struct entry_state* e, uint16_t selector, int code, int long_mode,
                           const char* what) {
  /* Intel SDM vol. 3A 3.4.5: base 31:24 | 7:0 of the high word, limit 19:16, G, L, D/B. */
  const uint64_t d = PEEK(uint64_t, e->gdt_base + (selector & ~7u));
  const uint64_t base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
  const uint64_t limit = (d & 0xffff) | (((d >> 48) & 0xf) << 16);
  const unsigned type = (d >> 40) & 0xf, s = (d >> 44) & 1, dpl = (d >> 45) & 3, present = (d >> 47) & 1;
  const unsigned l = (d >> 53) & 1, db = (d >> 54) & 1, g = (d >> 55) & 1;
  rt_puts("segment ");
  rt_puts(what);
  rt_putc('\n');
  CHECK_EQ("  base 0", base, 0);
  CHECK_EQ("  limit 4 GiB", limit | (uint64_t)g << 20, 0x1fffff);
  CHECK_EQ("  present, code/data, DPL 0", present << 3 | s << 2 | dpl, 0xc);
  if (code) {
    CHECK_EQ("  execute/read code", type & 0xa, 0xa);
    CHECK_EQ("  L and D/B", l << 1 | db, long_mode ? 2 : 1);
  } else {
    CHECK_EQ("  read/write data", type & 0xa, 0x2);
  }
}

void rt_check_cpuid(void) {
  uint32_t r[4];
  cpuid(1, 0, r);
  CHECK("cpuid hypervisor bit", (r[2] >> 31) & 1);
  cpuid(0x40000000, 0, r);
  CHECK_EQ("cpuid KVMKVMKVM", r[1] ^ r[2] ^ r[3], 0x4b4d564b ^ 0x564b4d56 ^ 0x4d);
  const uint32_t max_hv = r[0];
  cpuid(0x80000000, 0, r);
  int invariant = 0;
  if (r[0] >= 0x80000007) {
    cpuid(0x80000007, 0, r);
    invariant = (r[3] >> 8) & 1;
  }
  if (!invariant) {
    rt_puts("tsc not invariant: no frequency leaf expected\n");
    return;
  }
  CHECK("cpuid 0x40000000 covers 0x40000010", max_hv >= 0x40000010);
  cpuid(0x40000010, 0, r);
  CHECK("cpuid 0x40000010 tsc khz", r[0] != 0);
  rt_puts("tsc khz ");
  rt_put_dec(r[0]);
  rt_putc('\n');
}

void rt_check_mptable(void) {
  /* MP spec 1.4 4.1: the floating pointer lies 16-byte aligned in the last KiB of base
   * memory (among other places; ours is there). */
  uint32_t fp = 0;
  for (uint32_t a = 0x9fc00; a < 0xa0000; a += 16) {
    if (PEEK(uint32_t, a) == 0x5f504d5f) { /* "_MP_" */
      fp = a;
      break;
    }
  }
  CHECK("mp floating pointer", fp != 0);
  if (!fp) return;
  uint8_t sum = 0;
  for (uint32_t i = 0; i < 16; ++i) sum = (uint8_t)(sum + PEEK(uint8_t, fp + i));
  CHECK_EQ("mp floating pointer checksum", sum, 0);
  const uint32_t table = PEEK(uint32_t, fp + 4);
  CHECK_EQ("mp config signature", PEEK(uint32_t, table), 0x504d4350); /* "PCMP" */
  const uint16_t length = PEEK(uint16_t, table + 4), entries = PEEK(uint16_t, table + 34);
  sum = 0;
  for (uint32_t i = 0; i < length; ++i) sum = (uint8_t)(sum + PEEK(uint8_t, table + i));
  CHECK_EQ("mp config checksum", sum, 0);
  unsigned cpus = 0, ioapics = 0;
  uint32_t p = table + 44;
  for (unsigned i = 0; i < entries && p < table + length; ++i) {
    const uint8_t type = PEEK(uint8_t, p);
    cpus += type == 0;
    ioapics += type == 2;
    p += type == 0 ? 20 : 8;
  }
  CHECK_EQ("mp processors", cpus, rt_arg_u64("cpus", 1));
  CHECK_EQ("mp ioapics", ioapics, 1);
}

static uint8_t sum_bytes(uint32_t addr, uint32_t len) {
  uint8_t sum = 0;
  for (uint32_t i = 0; i < len; ++i) sum = (uint8_t)(sum + PEEK(uint8_t, addr + i));
  return sum;
}

/* The XSDT entry whose table has `signature`, or 0. */
static uint32_t acpi_find(uint32_t xsdt, uint32_t signature) {
  const uint32_t n = (PEEK(uint32_t, xsdt + 4) - 36) / 8;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t t = (uint32_t)PEEK(uint64_t, xsdt + 36 + 8 * i);
    if (PEEK(uint32_t, t) == signature) return t;
  }
  return 0;
}

void rt_check_acpi(uint64_t rsdp) {
  /* ACPI 6.5 5.2.5.1: on 16-byte boundaries in the BIOS area 0xe0000-0xfffff. */
  uint32_t found = 0;
  for (uint32_t a = 0xe0000; a < 0x100000 && !found; a += 16) {
    if (PEEK(uint32_t, a) == 0x20445352 && PEEK(uint32_t, a + 4) == 0x20525450) found = a; /* "RSD PTR " */
  }
  CHECK("acpi rsdp in the bios area", found != 0);
  if (rsdp) CHECK_EQ("acpi rsdp address handed over", rsdp, found);
  if (!found) return;
  CHECK_EQ("acpi rsdp checksums", sum_bytes(found, 20) | sum_bytes(found, 36), 0);
  CHECK_EQ("acpi rsdp revision 2", PEEK(uint8_t, found + 15), 2);
  const uint32_t xsdt = (uint32_t)PEEK(uint64_t, found + 24);
  CHECK_EQ("acpi xsdt", PEEK(uint32_t, xsdt), 0x54445358); /* "XSDT" */
  CHECK_EQ("acpi xsdt checksum", sum_bytes(xsdt, PEEK(uint32_t, xsdt + 4)), 0);
  const uint32_t facp = acpi_find(xsdt, 0x50434146), apic = acpi_find(xsdt, 0x43495041); /* "FACP", "APIC" */
  CHECK("acpi fadt", facp != 0);
  CHECK("acpi madt", apic != 0);
  if (!facp || !apic) return;
  CHECK_EQ("acpi fadt checksum", sum_bytes(facp, PEEK(uint32_t, facp + 4)), 0);
  CHECK_EQ("acpi fadt not hardware-reduced", (PEEK(uint32_t, facp + 112) >> 20) & 1, 0);
  CHECK_EQ("acpi fadt 8042 present", (PEEK(uint16_t, facp + 109) >> 1) & 1, 1);
  /* 4.8.3.2: PM1_CNT.SCI_EN reads 1, the platform is in ACPI mode without an SMI. */
  const uint16_t pm1a_cnt = (uint16_t)PEEK(uint32_t, facp + 64);
  uint16_t control;
  __asm__ volatile("inw %1, %0" : "=a"(control) : "Nd"(pm1a_cnt));
  CHECK_EQ("acpi pm1a_cnt sci_en", control & 1, 1);
  const uint32_t dsdt = (uint32_t)PEEK(uint64_t, facp + 140);
  CHECK_EQ("acpi dsdt", PEEK(uint32_t, dsdt), 0x54445344); /* "DSDT" */
  CHECK_EQ("acpi madt checksum", sum_bytes(apic, PEEK(uint32_t, apic + 4)), 0);
  unsigned cpus = 0, ioapics = 0;
  for (uint32_t p = apic + 44; p < apic + PEEK(uint32_t, apic + 4); p += PEEK(uint8_t, p + 1)) {
    if (PEEK(uint8_t, p + 1) == 0) break; /* malformed: stop */
    cpus += PEEK(uint8_t, p) == 0 && (PEEK(uint32_t, p + 4) & 1);
    ioapics += PEEK(uint8_t, p) == 1;
  }
  CHECK_EQ("acpi madt processors", cpus, rt_arg_u64("cpus", 1));
  CHECK_EQ("acpi madt ioapics", ioapics, 1);
}
