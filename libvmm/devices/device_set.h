// DeviceSet: the devices of one instance, found by address on an exit. Ranges may not
// overlap. Lookups are lock-free reads of vectors built before the first vCPU runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "devices/device.h"
#include "vmm/guest_abi.h"
#include "vmm/result.h"

namespace vmm {

// A device described to a lean guest in its boot device table; the guest signals new
// buffers with VMM_HC_NOTIFY, handled by `notify` on the vCPU thread.
struct LeanDeviceEntry {
  vmm_boot_device descriptor{};
  std::function<int64_t(uint32_t queue_mask)> notify;
};

class DeviceSet {
 public:
  Result<void> add_mmio(uint64_t base, uint64_t size, std::shared_ptr<MmioDevice> device);
  Result<void> add_pio(uint16_t base, uint16_t count, std::shared_ptr<PioDevice> device);
  void add_wait_source(std::shared_ptr<WaitSource> source);
  void add_lean_device(LeanDeviceEntry entry);

  // The device covering gpa (offset set to gpa - base), or nullptr.
  MmioDevice* find_mmio(uint64_t gpa, uint64_t* offset) const;
  PioDevice* find_pio(uint16_t port, uint16_t* offset) const;
  std::span<const std::shared_ptr<WaitSource>> wait_sources() const { return wait_sources_; }
  std::span<const LeanDeviceEntry> lean_devices() const { return lean_devices_; }
  std::vector<vmm_boot_device> lean_descriptors() const;

 private:
  struct MmioRange {
    uint64_t base, size;
    std::shared_ptr<MmioDevice> device;
  };
  struct PioRange {
    uint16_t base, count;
    std::shared_ptr<PioDevice> device;
  };
  std::vector<MmioRange> mmio_;
  std::vector<PioRange> pio_;
  std::vector<std::shared_ptr<WaitSource>> wait_sources_;
  std::vector<LeanDeviceEntry> lean_devices_;
};

}  // namespace vmm
