/* Checks, from inside, what Multiboot 0.6.96 promises (section 3.2 machine state,
 * section 3.3 boot information) and libvmm's layout on top. */
#include "../rt/std_rt.h"

struct multiboot_info {
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table, boot_loader_name;
};
struct multiboot_module {
  uint32_t mod_start, mod_end, string, reserved;
};

/* Linked at a fixed address: it holds its value only if the image sits where it was
 * linked (the header's addresses, with flag 16, rather than the ELF's). */
static volatile uint32_t marker = 0x600dc0de;

void guest_main(const struct entry_state* e) {
  const struct multiboot_info* mbi = (const struct multiboot_info*)(uintptr_t)e->rbx;
  rt_begin("multiboot", (const char*)(uintptr_t)mbi->cmdline);

  /* 3.2: EAX magic, EBX info, CR0.PE set and PG clear, EFLAGS VM and IF clear, flat
   * 32-bit CS and data segments. */
  CHECK_EQ("eax = 0x2badb002", e->rax, 0x2badb002);
  CHECK_EQ("image at its link address", marker, 0x600dc0de);
  CHECK_EQ("cr0 pe, no pg", e->cr0 & 0x80000001u, 1);
  CHECK_EQ("eflags vm, if clear", e->rflags & ((1u << 9) | (1u << 17)), 0);
  rt_check_flat_segment(e, e->cs, 1, 0, "cs");
  rt_check_flat_segment(e, e->ds, 0, 0, "ds");
  rt_check_flat_segment(e, e->ss, 0, 0, "ss");

  /* 3.3: flags 0 (mem), 2 (cmdline), 6 (mmap), 9 (loader name), 3 with a module. */
  const int has_module = rt_arg_u64("initrd", 0) != 0;
  CHECK_EQ("info flags", mbi->flags, 0x245u | (has_module ? 8u : 0u));
  CHECK_EQ("mem_lower KiB", mbi->mem_lower, 639);
  CHECK_EQ("mem_upper KiB", mbi->mem_upper, (uint32_t)((rt_arg_u64("ram", 0) - 0x100000) >> 10));
  CHECK("boot loader name libvmm", rt_streq((const char*)(uintptr_t)mbi->boot_loader_name, "libvmm"));
  struct mem_range map[8];
  unsigned n = 0;
  for (uint32_t p = mbi->mmap_addr; p < mbi->mmap_addr + mbi->mmap_length && n < 8; n++) {
    map[n].addr = PEEK(uint64_t, p + 4);
    map[n].size = PEEK(uint64_t, p + 12);
    map[n].type = PEEK(uint32_t, p + 20);
    p += PEEK(uint32_t, p) + 4; /* size excludes itself */
  }
  rt_check_memmap(map, n);
  if (has_module) {
    const struct multiboot_module* m = (const void*)(uintptr_t)mbi->mods_addr;
    CHECK_EQ("mods_count", mbi->mods_count, 1);
    CHECK_EQ("module page-aligned (header flag 0)", m->mod_start & 0xfff, 0);
    CHECK("module string", rt_streq((const char*)(uintptr_t)m->string, "initrd"));
    rt_check_initrd(m->mod_start, m->mod_end - m->mod_start);
  } else {
    rt_check_initrd(0, 0);
  }
  rt_check_bss();
  rt_check_cpuid();
  rt_check_mptable();
  rt_check_acpi(0);
  rt_finish();
}
