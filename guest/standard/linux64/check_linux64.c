/* Checks, from inside, what the Linux x86 64-bit boot protocol promises
 * (Documentation/arch/x86/boot.rst "64-bit Boot Protocol", zero-page.rst) and what
 * libvmm documents on top (docs/standard-guests.md, docs/memory-map.md). */
#include "../rt/linux64_boot.h"

/* zero-page.rst / boot.rst offsets in struct boot_params. */
enum {
  BP_ACPI_RSDP_ADDR = 0x070, BP_EXT_RAMDISK_IMAGE = 0x0c0, BP_EXT_RAMDISK_SIZE = 0x0c4, BP_EXT_CMD_LINE_PTR = 0x0c8,
  BP_E820_ENTRIES = 0x1e8, BP_SENTINEL = 0x1ef, BP_BOOT_FLAG = 0x1fe, BP_HEADER = 0x202,
  BP_TYPE_OF_LOADER = 0x210, BP_LOADFLAGS = 0x211, BP_RAMDISK_IMAGE = 0x218, BP_RAMDISK_SIZE = 0x21c,
  BP_CMD_LINE_PTR = 0x228, BP_KERNEL_ALIGNMENT = 0x230, BP_CMDLINE_SIZE = 0x238, BP_E820_TABLE = 0x2d0,
};

/* The 4-level walk the CPU does (Intel SDM vol. 3A 4.5); ~0 when not mapped. */
static uint64_t translate(uint64_t cr3, uint64_t va) {
  const uint64_t mask = 0x000ffffffffff000ull;
  uint64_t e = PEEK(uint64_t, (cr3 & mask) + ((va >> 39) & 511) * 8);
  if (!(e & 1)) return ~0ull;
  e = PEEK(uint64_t, (e & mask) + ((va >> 30) & 511) * 8);
  if (!(e & 1)) return ~0ull;
  if (e & 0x80) return (e & 0x000fffffc0000000ull) | (va & 0x3fffffff);
  e = PEEK(uint64_t, (e & mask) + ((va >> 21) & 511) * 8);
  if (!(e & 1)) return ~0ull;
  if (e & 0x80) return (e & 0x000fffffffe00000ull) | (va & 0x1fffff);
  e = PEEK(uint64_t, (e & mask) + ((va >> 12) & 511) * 8);
  return (e & 1) ? (e & mask) | (va & 0xfff) : ~0ull;
}

extern char _start[];

void guest_main(const struct entry_state* e) {
  const uint64_t bp = e->rsi;
  const uint64_t cmdline = (uintptr_t)linux64_cmdline(e);
  rt_begin("linux64", (const char*)(uintptr_t)cmdline);

  /* boot.rst: 64-bit mode, paging, CS = __BOOT_CS, DS/ES/SS = __BOOT_DS, IF clear. */
  CHECK_EQ("rsi = boot_params at Firecracker's 0x7000", bp, 0x7000);
  CHECK_EQ("cs = __BOOT_CS", e->cs, 0x10);
  CHECK_EQ("ds = __BOOT_DS", e->ds, 0x18);
  CHECK_EQ("es = __BOOT_DS", e->es, 0x18);
  CHECK_EQ("ss = __BOOT_DS", e->ss, 0x18);
  CHECK_EQ("cpl 0", e->cs & 3, 0);
  CHECK_EQ("interrupts off", (e->rflags >> 9) & 1, 0);
  CHECK_EQ("cr0 pe+pg", e->cr0 & 0x80000001u, 0x80000001u);
  CHECK_EQ("cr4 pae", (e->cr4 >> 5) & 1, 1);
  CHECK_EQ("efer lme+lma", e->efer & 0x500, 0x500);
  rt_check_flat_segment(e, 0x10, 1, 1, "__BOOT_CS");
  rt_check_flat_segment(e, 0x18, 0, 1, "__BOOT_DS");
  /* boot.rst: identity map of the kernel, the zero page and the command line. */
  CHECK_EQ("identity map: kernel", translate(e->cr3, (uintptr_t)_start), (uintptr_t)_start);
  CHECK_EQ("identity map: zero page", translate(e->cr3, bp), bp);
  CHECK_EQ("identity map: command line", translate(e->cr3, cmdline), cmdline);

  /* The setup header fields libvmm fills for an ELF kernel (zero-page.rst). */
  CHECK_EQ("boot_flag", PEEK(uint16_t, bp + BP_BOOT_FLAG), 0xaa55);
  CHECK_EQ("header HdrS", PEEK(uint32_t, bp + BP_HEADER), 0x53726448);
  CHECK_EQ("type_of_loader", PEEK(uint8_t, bp + BP_TYPE_OF_LOADER), 0xff);
  CHECK_EQ("loadflags LOADED_HIGH", PEEK(uint8_t, bp + BP_LOADFLAGS) & 1, 1);
  CHECK("kernel_alignment", PEEK(uint32_t, bp + BP_KERNEL_ALIGNMENT) != 0);
  CHECK_EQ("cmdline_size = length + 1", PEEK(uint32_t, bp + BP_CMDLINE_SIZE),
           rt_strlen((const char*)(uintptr_t)cmdline) + 1);
  CHECK_EQ("sentinel", PEEK(uint8_t, bp + BP_SENTINEL), 0);

  struct mem_range map[8];
  const unsigned n = PEEK(uint8_t, bp + BP_E820_ENTRIES);
  for (unsigned i = 0; i < n && i < 8; ++i) {
    const uint64_t entry = bp + BP_E820_TABLE + 20 * i; /* struct boot_e820_entry, packed */
    map[i].addr = PEEK(uint64_t, entry);
    map[i].size = PEEK(uint64_t, entry + 8);
    map[i].type = PEEK(uint32_t, entry + 16);
  }
  rt_check_memmap(map, n);
  rt_check_initrd(PEEK(uint32_t, bp + BP_RAMDISK_IMAGE) | (uint64_t)PEEK(uint32_t, bp + BP_EXT_RAMDISK_IMAGE) << 32,
                  PEEK(uint32_t, bp + BP_RAMDISK_SIZE) | (uint64_t)PEEK(uint32_t, bp + BP_EXT_RAMDISK_SIZE) << 32);
  rt_check_bss();
  rt_check_cpuid();
  rt_check_mptable();
  rt_check_acpi(PEEK(uint64_t, bp + BP_ACPI_RSDP_ADDR));
  rt_finish();
}
