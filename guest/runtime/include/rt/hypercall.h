// Lean-ABI hypercalls (include/vmm/guest_abi.h) and the runtime's platform services.
#pragma once

#include <stdint.h>

#include "vmm/guest_abi.h"

namespace rt {

// Issues hypercall `nr` with argument block `block` (which begins with int64_t result,
// preset here to -VMM_ENOTHANDLED). Returns the block's result. The block must be below
// 4 GiB: guest memory is identity-mapped and RAM starts at 0.
template <class Block>
inline int64_t hypercall(unsigned nr, Block* block) {
  block->result = -int64_t{VMM_ENOTHANDLED};
  uint32_t gpa = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(block));
  __asm__ volatile("outl %0, %w1"
                   :
                   : "a"(gpa), "Nd"(static_cast<uint16_t>(VMM_HC_PORT_BASE + nr))
                   : "memory");
  return block->result;
}

// The raw lean-ABI hypercalls.
namespace lean {
[[noreturn]] void exit(int64_t status);
int64_t console_write(const void* data, uint64_t length);
int64_t boot_ready(const char* console_data, uint64_t console_length);
uint64_t wait(uint64_t deadline_ns);
int64_t notify(uint32_t device, uint32_t queue_mask);
}  // namespace lean

// The same services through rt::platform() (rt/platform.h): hypercalls under libvmm,
// fallbacks (UART, reset, polling) when booted through PVH by another VMM.
[[noreturn]] void hc_exit(int64_t status);
int64_t hc_console_write(const void* data, uint64_t length);
int64_t hc_boot_ready();
// Blocks until device work, a stop request or the guest-clock deadline; returns the
// VMM_WAIT_* events (0 on error).
uint64_t hc_wait(uint64_t deadline_ns);
int64_t hc_notify(uint32_t device, uint32_t queue_mask);
int64_t hc_cpu_start(uint32_t cpu, void (*entry)(void*), void* stack_top, void* arg);

}  // namespace rt
