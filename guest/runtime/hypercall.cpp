// The runtime's calls to its VMM. hc_* go through rt::platform(): lean hypercalls under
// libvmm, the fallback devices when booted through PVH elsewhere. rt::lean::* are the raw
// hypercalls.
#include "rt/hypercall.h"

#include "rt/platform.h"

namespace rt {
namespace lean {

void exit(int64_t status) {
  vmm_hc_exit block{};
  block.status = status;
  hypercall(VMM_HC_EXIT, &block);
  // The VMM ends the instance; should it return, make sure nothing else runs.
  for (;;) __asm__ volatile("ud2");
}

int64_t console_write(const void* data, uint64_t length) {
  vmm_hc_console_write block{};
  block.data = reinterpret_cast<uintptr_t>(data);
  block.length = length;
  return hypercall(VMM_HC_CONSOLE_WRITE, &block);
}

int64_t boot_ready(const char* console_data, uint64_t console_length) {
  vmm_hc_boot_ready block{};
  block.data = reinterpret_cast<uintptr_t>(console_data);
  block.length = console_length;
  return hypercall(VMM_HC_BOOT_READY, &block);
}

uint64_t wait(uint64_t deadline_ns) {
  vmm_hc_wait block{};
  block.deadline_ns = deadline_ns;
  if (hypercall(VMM_HC_WAIT, &block) < 0) return 0;
  return block.events;
}

int64_t notify(uint32_t device, uint32_t queue_mask) {
  vmm_hc_notify block{};
  block.device = device;
  block.queue_mask = queue_mask;
  return hypercall(VMM_HC_NOTIFY, &block);
}

}  // namespace lean

void hc_exit(int64_t status) {
  platform().exit(status);
  __builtin_unreachable();
}
int64_t hc_console_write(const void* data, uint64_t length) {
  platform().console_write(static_cast<const char*>(data), length);
  return static_cast<int64_t>(length);
}
int64_t hc_boot_ready() {
  platform().boot_ready();
  return 0;
}
uint64_t hc_wait(uint64_t deadline_ns) { return platform().wait(deadline_ns); }
int64_t hc_notify(uint32_t device, uint32_t queue_mask) { return platform().notify(device, queue_mask); }

int64_t hc_cpu_start(uint32_t cpu, void (*entry)(void*), void* stack_top, void* arg) {
  vmm_hc_cpu_start block{};
  block.cpu = cpu;
  block.entry = reinterpret_cast<uintptr_t>(entry);
  block.stack = reinterpret_cast<uintptr_t>(stack_top);
  block.arg = reinterpret_cast<uintptr_t>(arg);
  return hypercall(VMM_HC_CPU_START, &block);
}

}  // namespace rt
