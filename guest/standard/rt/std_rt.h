/* Runtime of the standard-protocol test guests: CPL0, no interrupts, console on the
 * COM1 UART, verdicts the host tests parse. Built for 64-bit (Linux protocol) and 32-bit
 * (PVH, multiboot) entry; freestanding, general registers only (no SSE: the guests run
 * emulated on some KVMs, where SSE arithmetic fails). Keep it small: every instruction
 * may cost a microsecond. */
#ifndef STD_RT_H
#define STD_RT_H

#include <stddef.h>
#include <stdint.h>

/* What the entry stub saw before touching anything (entry.S of each protocol). */
struct entry_state {
  uint64_t rax, rbx, rsi, rsp, rflags, cr0, cr3, cr4, efer;
  uint16_t cs, ds, es, ss, fs, gs, tr, pad;
  uint16_t gdt_limit, idt_limit;
  uint32_t pad2;
  uint64_t gdt_base, idt_base;
};

/* Provided by each guest; called by the entry stub on the runtime's own stack. */
void guest_main(const struct entry_state* entry);

/* Console (COM1, polled). */
void rt_putc(char c);
void rt_puts(const char* s);
void rt_put_hex(uint64_t v);
void rt_put_dec(uint32_t v);

/* Port and memory access. */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint64_t rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline uint64_t rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}
#define PEEK(type, addr) (*(volatile type*)(uintptr_t)(addr))

/* The start of every check guest: takes the command line, writes the boot timer if asked,
 * prints "<name> check" and "cmdline: <line>". */
void rt_begin(const char* name, const char* cmdline);

/* Command line: the value of `key=` (up to the next blank) or NULL; numbers in decimal
 * or 0x hex. */
void rt_set_cmdline(const char* cmdline);
const char* rt_arg(const char* key);
uint64_t rt_arg_u64(const char* key, uint64_t fallback);
int rt_streq(const char* a, const char* b);
size_t rt_strlen(const char* s);

/* Checks: each prints "ok <what>" or "FAIL <what> got=<hex> want=<hex>". */
void rt_check(int ok, const char* what, uint64_t got, uint64_t want);
#define CHECK_EQ(what, got, want) rt_check((uint64_t)(got) == (uint64_t)(want), what, (uint64_t)(got), (uint64_t)(want))
#define CHECK(what, cond) rt_check((cond) != 0, what, (cond) != 0, 1)
unsigned rt_failures(void);

/* Firecracker's boot timer: `boot_timer=mmio` (0xc0000000) or `boot_timer=port` (0x3f0). */
void rt_boot_timer(void);

/* Prints "VERDICT PASS" or "VERDICT FAIL <n>" and ends the guest as `exit=` says:
 * port (default: debug-exit port 0xf4, status 0 or 1), i8042 (keyboard controller
 * reset), halt (cli; hlt). Never returns. */
void rt_finish(void) __attribute__((noreturn));

/* The standard memory map the host documents (docs/memory-map.md), entry by entry. */
struct mem_range {
  uint64_t addr, size;
  uint32_t type;
};
/* Compares a map handed over by the protocol with the one expected for `ram=` bytes. */
void rt_check_memmap(const struct mem_range* got, unsigned count);
/* The initrd as `initrd=<size>` says: size, placement (page-aligned, top of RAM) and the
 * host test's pattern (byte i = (i * 131 + 7) mod 256). size 0: expects none. */
void rt_check_initrd(uint64_t addr, uint64_t size);
/* BSS lies zeroed (ELF: the part of a segment past its file bytes). */
void rt_check_bss(void);
/* The GDT descriptor of `selector` is flat (base 0, 4 GiB) and present, DPL 0, code
 * (execute/read; 64-bit when `long_mode`, else 32-bit) or data (read/write). */
void rt_check_flat_segment(const struct entry_state* e, uint16_t selector, int code, int long_mode,
                           const char* what);
/* CPUID as the VMM promises: hypervisor bit, KVM's signature leaf, and the TSC-frequency
 * leaf 0x40000010 when the TSC is invariant. */
void rt_check_cpuid(void);
/* The MP table in the last KiB of base memory: checksums and `cpus=` processors. */
void rt_check_mptable(void);
/* ACPI: the RSDP in the BIOS area (and at `rsdp` when the protocol passes its address,
 * 0 if not), the XSDT, a FADT (not hardware-reduced, SCI_EN set) with a DSDT, a MADT with
 * `cpus=` local APICs and one IOAPIC; every checksum. */
void rt_check_acpi(uint64_t rsdp);

#endif
