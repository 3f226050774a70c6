// The guest-physical memory map: every fixed address libvmm uses, in address order, per
// boot protocol. Nothing else in libvmm hard-codes a guest address.
#pragma once

#include <cstdint>

namespace vmm::x86 {

inline constexpr uint64_t kPageSize = 0x1000;
inline constexpr uint64_t kLargePageSize = 0x200000;  // 2 MiB
inline constexpr uint64_t kHugePageSize = 0x40000000;  // 1 GiB

// ---- Lean ABI (docs/guest-abi.md) -------------------------------------------------------
// [0, 1 MiB) belongs to the VMM; none of it is writable by the guest (CPL3), most of it is
// supervisor-only. The first page is never mapped so null dereferences fault.
namespace lean {
inline constexpr uint64_t kNullGuardEnd = 0x1000;
inline constexpr uint64_t kGdt = 0x1000;              // GDT: segments then one TSS per vCPU
inline constexpr uint64_t kIdt = 0x2000;              // 32 exception gates
inline constexpr uint64_t kExceptionStubs = 0x3000;   // CPL0 stubs reporting exceptions
inline constexpr uint64_t kCpl0Stacks = 0x4000;       // one small stack per vCPU
inline constexpr uint64_t kCpl0StackSize = 0x200;
inline constexpr uint64_t kTss = 0x5000;              // one TSS (+ I/O bitmap) per vCPU
inline constexpr uint64_t kTssStride = 0x200;
// Per-instance boot data (vmm_boot_info, memory map, device table, command line) lives
// at the top of RAM, not here; see boot/lean/lean_protocol.h.
inline constexpr uint32_t kDevicesMax = 8;
inline constexpr uint64_t kCmdlineMax = 0x7ff;        // bytes without the NUL
inline constexpr uint64_t kPageTables = 0x8000;       // PML4, PDPT, PDs, PTs, allocated upwards
inline constexpr uint64_t kPageTablesEnd = 0x80000;
inline constexpr uint64_t kImageMin = 0x100000;       // lowest address a PT_LOAD may use
inline constexpr uint64_t kDeviceMmio = 0xd0000000;   // virtio-mmio windows, 4 KiB each
inline constexpr uint64_t kDeviceMmioSize = 0x1000;
inline constexpr uint64_t kRamMax = kDeviceMmio;      // RAM is one region below the MMIO window
inline constexpr uint32_t kMaxVcpus = 8;              // kCpl0Stacks and kTss hold 8 each
inline constexpr uint64_t kStackSize = 0x10000;       // initial stack + boot data at the top of RAM
// Rings of preconfigured virtio devices: this much per device, right below the stack.
inline constexpr uint64_t kDeviceQueueArea = 0x1000;

// GDT selectors.
inline constexpr uint16_t kKernelCs = 0x08;
inline constexpr uint16_t kKernelDs = 0x10;
inline constexpr uint16_t kUserDs = 0x20 | 3;
inline constexpr uint16_t kUserCs = 0x28 | 3;
inline constexpr uint16_t kFirstTss = 0x30;  // vCPU i uses kFirstTss + 16 * i
inline constexpr uint32_t kGdtEntries = 6 + 2 * kMaxVcpus;

static_assert(kCpl0Stacks + kMaxVcpus * kCpl0StackSize <= kTss);
static_assert(kTss + kMaxVcpus * kTssStride <= kPageTables);
}  // namespace lean

// ---- Standard guests: Linux 64-bit, PVH, multiboot (docs/memory-map.md) ---------------
// Firecracker's values (src/vmm/src/arch/x86_64/layout.rs) wherever images may depend on
// them: zero page, command line, GDT, boot stack, page tables, system data (MP table),
// the MMIO gap and its boot-timer device. The three protocols are mutually exclusive, so
// their boot structures share addresses.
namespace standard {
inline constexpr uint64_t kGdt = 0x500;               // BOOT_GDT_OFFSET
inline constexpr uint32_t kGdtEntries = 4;            // null, TSS 0x08 (PVH), code 0x10, data 0x18
inline constexpr uint64_t kIdt = 0x520;               // BOOT_IDT_OFFSET: one null gate
inline constexpr uint64_t kPvhStartInfo = 0x6000;     // PVH_INFO_START: struct hvm_start_info
inline constexpr uint64_t kMultibootInfo = 0x6000;    // struct multiboot_info (same place)
inline constexpr uint64_t kPvhModlist = 0x6040;       // MODLIST_START: struct hvm_modlist_entry[]
inline constexpr uint64_t kMultibootModules = 0x6080; // struct multiboot_mod_list[]
inline constexpr uint64_t kBootLoaderName = 0x60c0;   // "libvmm", NUL-terminated
inline constexpr uint64_t kModuleName = 0x60e0;       // module string: "initrd"
inline constexpr uint64_t kMemmap = 0x7000;           // MEMMAP_START: PVH/multiboot memory map
inline constexpr uint32_t kMemmapMax = 16;
inline constexpr uint64_t kZeroPage = 0x7000;         // ZERO_PAGE_START: struct boot_params
inline constexpr uint64_t kBootStack = 0x8ff0;        // BOOT_STACK_POINTER
inline constexpr uint64_t kPageTables = 0x9000;       // PML4 (Firecracker: PML4_START)
inline constexpr uint64_t kPageTablesEnd = 0x10000;
inline constexpr uint64_t kCmdline = 0x20000;         // CMDLINE_START
inline constexpr uint64_t kCmdlineMax = 2047;         // CMDLINE_MAX_SIZE (2048) minus the NUL
inline constexpr uint64_t kSystemMem = 0x9fc00;       // SYSTEM_MEM_START: e820 reserved to 1 MiB
inline constexpr uint64_t kMpTable = kSystemMem;      // floating pointer, then the config table
inline constexpr uint64_t kMpTableMax = 0x2000;       // room for kMaxVcpus processors
inline constexpr uint64_t kAcpiTables = 0xa2000;      // FACS, DSDT, FADT, MADT, XSDT
inline constexpr uint64_t kAcpiTablesMax = 0x3000;
inline constexpr uint64_t kRsdp = 0xe0000;            // RSDP_ADDR: ACPI root pointer
inline constexpr uint64_t kHighMemory = 0x100000;     // HIMEM_START: lowest PT_LOAD address
inline constexpr uint64_t kMmioGap = 0xc0000000;      // MMIO32_MEM_START: [3 GiB, 4 GiB) no RAM
inline constexpr uint64_t kBootTimerMmio = kMmioGap;  // BOOT_DEVICE_MEM_START (MMIO_LEN bytes)
inline constexpr uint64_t kBootTimerMmioSize = 0x1000;
// 0xd0000000: virtio-mmio windows (lean::kDeviceMmio), inside the gap, for both ABIs.
inline constexpr uint64_t kIoapic = 0xfec00000;       // IOAPIC_ADDR
inline constexpr uint64_t kLapic = 0xfee00000;        // APIC_ADDR
inline constexpr uint64_t kKvmTss = 0xfffbd000;       // KVM_TSS_ADDRESS: 3 pages for KVM_SET_TSS_ADDR
inline constexpr uint64_t kMmioGapEnd = 1ull << 32;   // FIRST_ADDR_PAST_32BITS
inline constexpr uint64_t kRamMax = kMmioGap;         // one RAM region below the gap (for now)
inline constexpr uint64_t kIdentityMapped = 1ull << 32;  // Linux 64-bit: [0, 4 GiB) mapped
inline constexpr uint32_t kMaxVcpus = 254;            // APIC IDs 0..253; the IOAPIC takes the next

// GDT selectors. boot.rst: __BOOT_CS = 0x10, __BOOT_DS = 0x18; PVH needs a 32-bit TSS.
inline constexpr uint16_t kSelectorTss = 0x08;
inline constexpr uint16_t kSelectorCode = 0x10;
inline constexpr uint16_t kSelectorData = 0x18;

// Legacy I/O ports and ISA interrupt lines, in port order.
inline constexpr uint16_t kPortPicMaster = 0x20;      // 8259 command/data (KVM's, irqchip kernel)
inline constexpr uint16_t kPortI8042 = 0x60;          // data 0x60, status/command 0x64
inline constexpr uint16_t kPortRtc = 0x70;            // CMOS index 0x70, data 0x71
inline constexpr uint16_t kPortDebugExit = 0xf4;      // QEMU isa-debug-exit convention (4 ports)
inline constexpr uint16_t kPortBootTimer = 0x3f0;     // Firecracker's former boot-timer port
inline constexpr uint16_t kPortCom1 = 0x3f8;          // 16550 UART, 8 registers
inline constexpr uint16_t kPortAcpiPm1aEvt = 0x600;   // ACPI PM1a status/enable (4 ports), as QEMU
inline constexpr uint16_t kPortAcpiPm1aCnt = 0x604;   // ACPI PM1a control (2 ports)
inline constexpr uint32_t kIrqCom1 = 4;
inline constexpr uint32_t kIrqAcpiSci = 9;            // the ACPI SCI (never raised)
inline constexpr uint32_t kIoapicPins = 24;

static_assert(kGdt + kGdtEntries * 8 <= kIdt);
static_assert(kPvhStartInfo + 56 <= kPvhModlist && kPvhModlist + 32 <= kMultibootModules);
static_assert(kMultibootInfo + 116 <= kMultibootModules && kMultibootModules + 16 <= kBootLoaderName);
static_assert(kBootLoaderName + 0x20 <= kModuleName && kModuleName + 0x20 <= kMemmap);
static_assert(kMemmap + kMemmapMax * 24 <= kBootStack - 0x400);
static_assert(kMpTable + kMpTableMax <= kAcpiTables && kAcpiTables + kAcpiTablesMax <= kRsdp);
}  // namespace standard

}  // namespace vmm::x86
