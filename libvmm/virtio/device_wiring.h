// How a virtio device reaches its guest (docs/io-model.md):
//  - lean guests: the VMM performs the driver's initialisation itself, places the rings in
//    the guest's queue area and describes the device in the boot device table; the vCPU
//    thread processes queues on the notify hypercall, MMIO exits and the wait hypercall;
//  - standard guests: QueueNotify is an ioeventfd and the interrupt an irqfd, both served
//    by the process's shared IoLoop thread.
#pragma once

#include <cstdint>
#include <memory>

#include "arch/x86_64/layout.h"
#include "virtio/io_loop.h"
#include "virtio/virtio_device.h"
#include "vmm/guest_abi.h"
#include "vmm/vm.h"

namespace vmm::virtio {

// Guest RAM reserved per preconfigured lean device for its rings (x86::lean::
// kDeviceQueueArea): two queues of up to kLeanQueueSize entries, each a descriptor page
// plus a page for the avail and used rings.
inline constexpr uint64_t kLeanQueueArea = x86::lean::kDeviceQueueArea;
inline constexpr uint16_t kLeanQueueSize = 64;

// Feature bits the VMM accepts on a lean guest's behalf (those the device also offers).
uint64_t lean_wanted_features(uint32_t device_id);

// Preconfigures `device` with its rings in [area, area + kLeanQueueArea) and returns its
// entry for the boot device table (VMM_DEVICE_PRECONFIGURED).
Result<vmm_boot_device> preconfigure_lean(VirtioDevice& device, uint64_t area, uint64_t mmio_base);

// The standard-guest wiring of one device; dropping it unregisters from the IoLoop (and
// waits for a handler that is running).
class IoBinding {
 public:
  ~IoBinding();
  IoBinding(const IoBinding&) = delete;
  IoBinding& operator=(const IoBinding&) = delete;

  // ioeventfd on QueueNotify (when KVM offers it; otherwise notifications arrive as MMIO
  // exits on the vCPU thread), irqfd on `gsi` when `irqchip`, the device's host fd.
  static Result<std::unique_ptr<IoBinding>> bind(VirtioDevice& device, Vm& vm, uint64_t mmio_base, uint32_t gsi,
                                                 bool irqchip);

 private:
  IoBinding() = default;
  std::shared_ptr<IoLoop> loop_;
  UniqueFd notify_fd_;
  uint64_t notify_id_ = 0;
  int host_fd_ = -1;
  uint64_t host_id_ = 0;
};

}  // namespace vmm::virtio
