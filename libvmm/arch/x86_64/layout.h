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
// One page of per-instance boot data, so a start dirties a single template page.
inline constexpr uint64_t kBootInfo = 0x7000;         // struct vmm_boot_info
inline constexpr uint64_t kMemmap = 0x7100;           // struct vmm_mem_region[kMemmapMax]
inline constexpr uint32_t kMemmapMax = 10;
inline constexpr uint64_t kDevices = 0x7200;          // struct vmm_boot_device[kDevicesMax]
inline constexpr uint32_t kDevicesMax = 8;
inline constexpr uint64_t kCmdline = 0x7800;          // NUL-terminated command line
inline constexpr uint64_t kCmdlineMax = 0x7ff;        // bytes without the NUL
inline constexpr uint64_t kPageTables = 0x8000;       // PML4, PDPT, PDs, PTs, allocated upwards
inline constexpr uint64_t kPageTablesEnd = 0x80000;
inline constexpr uint64_t kImageMin = 0x100000;       // lowest address a PT_LOAD may use
inline constexpr uint64_t kDeviceMmio = 0xd0000000;   // virtio-mmio windows, 4 KiB each
inline constexpr uint64_t kDeviceMmioSize = 0x1000;
inline constexpr uint64_t kRamMax = kDeviceMmio;      // RAM is one region below the MMIO window
inline constexpr uint32_t kMaxVcpus = 8;              // kCpl0Stacks and kTss hold 8 each
inline constexpr uint64_t kStackSize = 0x10000;       // initial stack at the top of RAM

// GDT selectors.
inline constexpr uint16_t kKernelCs = 0x08;
inline constexpr uint16_t kKernelDs = 0x10;
inline constexpr uint16_t kUserDs = 0x20 | 3;
inline constexpr uint16_t kUserCs = 0x28 | 3;
inline constexpr uint16_t kFirstTss = 0x30;  // vCPU i uses kFirstTss + 16 * i
inline constexpr uint32_t kGdtEntries = 6 + 2 * kMaxVcpus;

static_assert(kCpl0Stacks + kMaxVcpus * kCpl0StackSize <= kTss);
static_assert(kTss + kMaxVcpus * kTssStride <= kBootInfo);
static_assert(kMemmap + kMemmapMax * 24 <= kDevices);
static_assert(kDevices + kDevicesMax * 168 <= kCmdline);
static_assert(kCmdline + kCmdlineMax + 1 <= kPageTables);
}  // namespace lean

}  // namespace vmm::x86
