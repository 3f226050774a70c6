// How the runtime reaches the outside world. Under libvmm (lean ABI) these are
// hypercalls; booted through PVH by another VMM (QEMU microvm), the runtime falls back to
// the 16550 UART, the i8042 reset line and polling. The boot info tells which: a
// hypercall_port_count of 0 means "no hypercalls".
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rt {

struct Platform {
  const char* name;
  void (*console_write)(const char* data, size_t length);
  void (*exit)(int64_t status);  // does not return
  void (*boot_ready)();
  // Blocks (or polls) until device work, a stop request or the deadline: VMM_WAIT_* bits.
  uint64_t (*wait)(uint64_t deadline_ns);
  // Lean NOTIFY for preconfigured devices; -VMM_ENOSYS where there is none.
  int64_t (*notify)(uint32_t device, uint32_t queue_mask);
};

const Platform& platform();
void use_fallback_platform();  // 16550 console, i8042 reset, polling

}  // namespace rt
