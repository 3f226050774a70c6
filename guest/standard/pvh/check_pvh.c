/* Checks, from inside, what the Xen PVH ABI promises (docs/misc/pvh.pandoc,
 * xen/include/public/arch-x86/hvm/start_info.h) and libvmm's layout on top. */
#include "../rt/std_rt.h"

struct hvm_start_info {
  uint32_t magic, version, flags, nr_modules;
  uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
  uint32_t memmap_entries, reserved;
};
struct hvm_modlist_entry {
  uint64_t paddr, size, cmdline_paddr, reserved;
};
struct hvm_memmap_table_entry {
  uint64_t addr, size;
  uint32_t type, reserved;
};

void guest_main(const struct entry_state* e) {
  const struct hvm_start_info* si = (const struct hvm_start_info*)(uintptr_t)e->rbx;
  rt_begin("pvh", (const char*)(uintptr_t)si->cmdline_paddr);

  /* pvh.pandoc: EBX = start_info; CR0 = PE (+ read-only ET); CR4 = 0; EFLAGS IF, TF, VM
   * clear; 32-bit flat CS, DS, ES, SS; TR a 32-bit TSS with base 0 and limit 0x67. */
  CHECK_EQ("ebx = start_info at Firecracker's 0x6000", e->rbx, 0x6000);
  CHECK_EQ("cr0 = pe", e->cr0 & ~0x10ull, 1);
  CHECK_EQ("cr4 = 0", e->cr4, 0);
  CHECK_EQ("efer: not long mode", e->efer & 0x500, 0);
  CHECK_EQ("eflags if, tf, vm clear", e->rflags & ((1u << 9) | (1u << 8) | (1u << 17)), 0);
  rt_check_flat_segment(e, e->cs, 1, 0, "cs");
  rt_check_flat_segment(e, e->ds, 0, 0, "ds");
  rt_check_flat_segment(e, e->es, 0, 0, "es");
  rt_check_flat_segment(e, e->ss, 0, 0, "ss");
  const uint64_t tss = PEEK(uint64_t, e->gdt_base + (e->tr & ~7u));
  CHECK("tr selector", e->tr != 0);
  CHECK_EQ("tr: 32-bit tss, present", (tss >> 40) & 0x9d, 0x89);
  CHECK_EQ("tr: base 0", ((tss >> 16) & 0xffffff) | (((tss >> 56) & 0xff) << 24), 0);
  CHECK_EQ("tr: limit 0x67", (tss & 0xffff) | (((tss >> 48) & 0xf) << 16), 0x67);

  CHECK_EQ("start_info magic", si->magic, 0x336ec578);
  CHECK_EQ("start_info version", si->version, 1);
  struct mem_range map[8];
  const struct hvm_memmap_table_entry* mm = (const void*)(uintptr_t)si->memmap_paddr;
  for (unsigned i = 0; i < si->memmap_entries && i < 8; ++i) {
    map[i].addr = mm[i].addr;
    map[i].size = mm[i].size;
    map[i].type = mm[i].type;
  }
  rt_check_memmap(map, si->memmap_entries);
  const struct hvm_modlist_entry* mods = (const void*)(uintptr_t)si->modlist_paddr;
  CHECK_EQ("nr_modules", si->nr_modules, rt_arg_u64("initrd", 0) ? 1 : 0);
  rt_check_initrd(si->nr_modules ? mods[0].paddr : 0, si->nr_modules ? mods[0].size : 0);
  rt_check_bss();
  rt_check_cpuid();
  rt_check_mptable();
  rt_check_acpi(si->rsdp_paddr);
  rt_finish();
}
