// PVH boot, CPL0 part (after pvh_start.S): turns the VMM's hvm_start_info into the lean
// ABI's vmm_boot_info, sets up a TSS (with an I/O bitmap opening the UART, the boot-timer
// port and the i8042) and an IDT, and drops to CPL3 at vmm_runtime_start, the same entry
// libvmm uses. Only ever runs outside libvmm's lean protocol (QEMU microvm, Firecracker,
// libvmm's own PVH path). Xen public/arch-x86/hvm/start_info.h gives the layouts.
#include <stddef.h>
#include <stdint.h>

#include "rt/string.h"
#include "vmm/guest_abi.h"

extern "C" char pvh_gdt_tss[], pvh_stack_top[], pvh_exception_stubs[];
extern "C" char __image_start[], __image_end[];
extern "C" [[noreturn]] void vmm_runtime_start(const vmm_boot_info* bi);

namespace {

struct HvmStartInfo {
  uint32_t magic;  // 0x336ec578
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;
  uint64_t cmdline_paddr;
  uint64_t rsdp_paddr;
  uint64_t memmap_paddr;  // version >= 1
  uint32_t memmap_entries;
  uint32_t reserved;
};
struct HvmMemmapEntry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;  // E820: 1 = RAM
  uint32_t reserved;
};
constexpr uint32_t kHvmStartMagic = 0x336ec578;

constexpr uint16_t kCom1 = 0x3f8;
constexpr uint64_t kStackSize = 0x10000;
constexpr uint64_t kLowReserved = 0x100000;  // BIOS area and below: left alone

void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %w1" : : "a"(v), "Nd"(port)); }
uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
void cpuid(uint32_t leaf, uint32_t sub, uint32_t* a, uint32_t* b, uint32_t* c, uint32_t* d) {
  __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
uint64_t rdtsc() {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t{hi} << 32) | lo;
}

void serial_puts(const char* s) {
  for (; *s != '\0'; ++s) {
    while (!(inb(kCom1 + 5) & 0x20)) {
    }
    outb(kCom1, static_cast<uint8_t>(*s));
  }
}
void serial_hex(uint64_t v) {
  char buf[19] = "0x";
  for (int i = 0; i < 16; ++i) buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
  buf[18] = '\0';
  serial_puts(buf);
}
// Pulses the i8042 reset line (Firecracker, QEMU pc), then triple-faults for VMMs
// without an i8042 (QEMU microvm): with -no-reboot either ends the VMM.
[[noreturn]] void reset() {
  outb(0x64, 0xfe);
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } empty = {0, 0};
  __asm__ volatile("lidt %0; ud2" : : "m"(empty));
  __builtin_unreachable();
}

// TSC frequency: the hypervisor leaf, else CPUID 0x15/0x16, else the PIT.
uint64_t tsc_hz() {
  uint32_t a, b, c, d;
  cpuid(0x40000000, 0, &a, &b, &c, &d);
  if (a >= 0x40000010 && a < 0x40010000) {
    cpuid(0x40000010, 0, &a, &b, &c, &d);
    if (a != 0) return uint64_t{a} * 1000;
  }
  cpuid(0, 0, &a, &b, &c, &d);
  if (a >= 0x15) {
    uint32_t den, num, crystal, x;
    cpuid(0x15, 0, &den, &num, &crystal, &x);
    if (den != 0 && num != 0 && crystal != 0) return uint64_t{crystal} * num / den;
  }
  // PIT channel 2 as a 10 ms gate (mode 0, speaker off): count TSC ticks until OUT2 rises.
  constexpr uint32_t kPitHz = 1193182, kCount = kPitHz / 100;
  outb(0x61, static_cast<uint8_t>((inb(0x61) & ~0x02) | 0x01));
  outb(0x43, 0xb0);
  outb(0x42, kCount & 0xff);
  outb(0x42, kCount >> 8);
  const uint64_t t0 = rdtsc();
  uint32_t spins = 0;
  while (!(inb(0x61) & 0x20) && ++spins < 100000000u) {
  }
  const uint64_t t1 = rdtsc();
  return (t1 - t0) * kPitHz / kCount;
}

// CMOS RTC (MC146818) to seconds since the epoch; 0 when there is no RTC.
int64_t rtc_seconds() {
  auto reg = [](uint8_t r) {
    outb(0x70, r);
    return inb(0x71);
  };
  for (int i = 0; i < 1000 && (reg(0x0a) & 0x80); ++i) {  // update in progress
  }
  const uint8_t status_b = reg(0x0b);
  auto value = [&](uint8_t r) {
    uint8_t v = reg(r);
    return (status_b & 0x04) ? v : static_cast<uint8_t>((v >> 4) * 10 + (v & 15));
  };
  int64_t sec = value(0), min = value(2), hour = value(4) & 0x7f, day = value(7), mon = value(8),
          year = 2000 + value(9);
  if (mon < 1 || mon > 12 || day < 1 || day > 31) return 0;
  // Days from civil (proleptic Gregorian), 1970-01-01 = 0.
  year -= mon <= 2;
  const int64_t era = year / 400, yoe = year - era * 400;
  const int64_t doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  return ((days * 24 + hour) * 60 + min) * 60 + sec;
}

// Boot info handed to the runtime (it copies what it keeps).
vmm_boot_info info;
vmm_mem_region memmap[16];
vmm_boot_device devices[8];
char cmdline[2048];

void add_region(uint64_t base, uint64_t end, uint32_t type) {
  if (end > base && info.memmap_count < sizeof memmap / sizeof memmap[0]) {
    memmap[info.memmap_count++] = {base, end - base, type, 0};
  }
}

// Splits each RAM entry around the image and the stack: FREE / IMAGE / STACK regions.
void build_memory_map(const HvmStartInfo* si) {
  const auto* e = reinterpret_cast<const HvmMemmapEntry*>(si->memmap_paddr);
  const uint64_t image_start = reinterpret_cast<uintptr_t>(__image_start) & ~uint64_t{0xfff};
  const uint64_t image_end = (reinterpret_cast<uintptr_t>(__image_end) + 0xfff) & ~uint64_t{0xfff};
  uint64_t top = 0;
  for (uint32_t i = 0; i < si->memmap_entries; ++i) {
    if (e[i].type == 1 && e[i].addr + e[i].size <= (1ull << 32) && e[i].addr + e[i].size > top) top = e[i].addr + e[i].size;
  }
  info.ram_size = top;
  const uint64_t stack = (top - kStackSize) & ~uint64_t{0xfff};
  add_region(0, kLowReserved, VMM_MEM_BOOT);
  for (uint32_t i = 0; i < si->memmap_entries; ++i) {
    if (e[i].type != 1) continue;
    uint64_t lo = e[i].addr < kLowReserved ? kLowReserved : e[i].addr;
    uint64_t hi = e[i].addr + e[i].size;
    if (hi > stack && lo < top) hi = stack;  // the stack comes off the top region
    if (lo < image_start && hi > image_start) {
      add_region(lo, image_start, VMM_MEM_FREE);
      lo = image_end;
    } else if (lo >= image_start && lo < image_end) {
      lo = image_end;
    }
    add_region(lo, hi, VMM_MEM_FREE);
  }
  add_region(image_start, image_end, VMM_MEM_IMAGE);
  add_region(stack, top, VMM_MEM_STACK);
}

const char* find_text(const char* haystack, const char* needle) {
  size_t n = strlen(needle);
  for (; *haystack != '\0'; ++haystack) {
    if (strncmp(haystack, needle, n) == 0) return haystack;
  }
  return nullptr;
}

uint64_t parse_number(const char*& p) {
  uint64_t v = 0;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    for (p += 2;; ++p) {
      char c = *p;
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return v;
      v = v * 16 + static_cast<uint64_t>(d);
    }
  }
  for (; *p >= '0' && *p <= '9'; ++p) v = v * 10 + static_cast<uint64_t>(*p - '0');
  if (*p == 'K' || *p == 'k') v <<= 10, ++p;
  else if (*p == 'M' || *p == 'm') v <<= 20, ++p;
  return v;
}

// virtio_mmio.device=<size>@<base>[:<irq>] tokens (Linux's syntax, which QEMU microvm
// appends on its own): one device each, found by reading the magic and device id.
void find_devices(const char* line) {
  static const char kKey[] = "virtio_mmio.device=";
  for (const char* p = line; (p = find_text(p, kKey)) != nullptr;) {
    p += sizeof kKey - 1;
    uint64_t size = parse_number(p);
    if (*p++ != '@') continue;
    uint64_t base = parse_number(p);
    auto* regs = reinterpret_cast<volatile uint32_t*>(base);
    if (size == 0 || base == 0 || regs[0] != 0x74726976u) continue;  // "virt"
    if (info.device_count == sizeof devices / sizeof devices[0]) break;
    vmm_boot_device& d = devices[info.device_count++];
    d.virtio_id = regs[2];
    d.mmio_base = base;
    d.mmio_size = size;
  }
}

}  // namespace

// Set by the runtime's fallback exit before it raises #UD on purpose to get here.
extern "C" volatile bool pvh_exit_requested;
volatile bool pvh_exit_requested = false;

extern "C" [[noreturn]] void pvh_exception(const vmm_exception_frame* f) {
  if (pvh_exit_requested) reset();
  uint64_t cr2;
  __asm__ volatile("movq %%cr2, %0" : "=r"(cr2));
  serial_puts("\r\nguest exception, vector ");
  serial_hex(f->vector);
  serial_puts(" error ");
  serial_hex(f->error_code);
  serial_puts(" rip ");
  serial_hex(f->rip);
  serial_puts(" cr2 ");
  serial_hex(cr2);
  serial_puts("\r\n");
  reset();
}

extern "C" [[noreturn]] void pvh_boot(const HvmStartInfo* si) {
  if (si == nullptr || si->magic != kHvmStartMagic || si->version < 1) {
    serial_puts("pvh: no hvm_start_info version >= 1 (memory map missing)\r\n");
    reset();
  }
  info.magic = VMM_BOOT_INFO_MAGIC;
  info.version = VMM_ABI_VERSION;
  info.size = sizeof info;
  info.vcpu_count = 1;
  info.tsc_hz = tsc_hz();
  info.boot_wallclock_ns = rtc_seconds() * 1000000000;
  info.boot_tsc = rdtsc();
  for (unsigned i = 0; i < sizeof info.entropy; i += 8) {
    uint64_t v = rdtsc() * 0x9e3779b97f4a7c15ull;
    memcpy(info.entropy + i, &v, 8);
  }
  build_memory_map(si);
  info.memmap = reinterpret_cast<uintptr_t>(memmap);
  if (si->cmdline_paddr != 0) {
    const char* src = reinterpret_cast<const char*>(si->cmdline_paddr);
    size_t n = strnlen(src, sizeof cmdline - 1);
    memcpy(cmdline, src, n);
    cmdline[n] = '\0';
    info.cmdline_length = static_cast<uint32_t>(n);
  }
  info.cmdline = reinterpret_cast<uintptr_t>(cmdline);
  find_devices(cmdline);
  info.devices = info.device_count ? reinterpret_cast<uintptr_t>(devices) : 0;
  info.hypercall_port_count = 0;  // no libvmm: the runtime uses its fallback platform

  // TSS: RSP0 for exceptions from CPL3, an I/O bitmap opening only the UART (0x3f8-0x3ff),
  // the boot-timer port (0x3f0) and the i8042 command port (0x64).
  static struct alignas(16) {
    uint8_t tss[104];
    uint8_t bitmap[0x400 / 8 + 1];
  } tss;
  const uint64_t rsp0 = reinterpret_cast<uintptr_t>(pvh_stack_top);
  memcpy(tss.tss + 4, &rsp0, 8);
  const uint16_t iomap = sizeof tss.tss;
  memcpy(tss.tss + 102, &iomap, 2);
  memset(tss.bitmap, 0xff, sizeof tss.bitmap);
  static const uint16_t kOpenPorts[] = {0x3f0, 0x64, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff};
  for (uint16_t port : kOpenPorts) tss.bitmap[port / 8] &= static_cast<uint8_t>(~(1u << (port % 8)));
  const uint64_t base = reinterpret_cast<uintptr_t>(&tss);
  const uint64_t limit = sizeof tss - 1;
  const uint64_t desc_low = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
                            ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
  const uint64_t desc_high = base >> 32;
  memcpy(pvh_gdt_tss, &desc_low, 8);
  memcpy(pvh_gdt_tss + 8, &desc_high, 8);
  __asm__ volatile("ltr %w0" : : "r"(uint16_t{0x30}));

  // IDT: the 22 architectural exception vectors; #BP/#OF reachable from CPL3.
  static uint64_t idt[22 * 2];
  for (uint64_t v = 0; v < 22; ++v) {
    const uint64_t h = reinterpret_cast<uintptr_t>(pvh_exception_stubs) + 16 * v;
    const uint64_t dpl = (v == 3 || v == 4) ? 3 : 0;
    idt[2 * v] = (h & 0xffff) | (uint64_t{0x08} << 16) | (0x8eull << 40) | (dpl << 45) | ((h >> 16 & 0xffff) << 48);
    idt[2 * v + 1] = h >> 32;
  }
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } idtr = {sizeof idt - 1, reinterpret_cast<uintptr_t>(idt)};
  __asm__ volatile("lidt %0" : : "m"(idtr));

  // CPL3 at the runtime's entry, RSP on the STACK region (as if called), RDI = boot info.
  const uint64_t stack_top = info.ram_size - 8;
  __asm__ volatile(
      "movw $0x23, %%ax\n\t"
      "movw %%ax, %%ds\n\t"
      "movw %%ax, %%es\n\t"
      "pushq $0x23\n\t"
      "pushq %0\n\t"
      "pushq $0x2\n\t"
      "pushq $0x2b\n\t"
      "pushq %1\n\t"
      "iretq"
      :
      : "r"(stack_top), "r"(reinterpret_cast<uintptr_t>(vmm_runtime_start)), "D"(&info)
      : "rax", "memory");
  __builtin_unreachable();
}
