#include "devices/device_set.h"

#include <fmt/format.h>

#include "core/checked_math.h"

namespace vmm {

Result<void> DeviceSet::add_mmio(uint64_t base, uint64_t size, std::shared_ptr<MmioDevice> device) {
  if (size == 0 || !checked_add(base, size)) return Error(fmt::format("MMIO range at {:#x} of {:#x} bytes is invalid", base, size));
  for (const auto& r : mmio_) {
    if (ranges_overlap(base, size, r.base, r.size)) {
      return Error(fmt::format("MMIO range [{:#x}, {:#x}) of {} overlaps {}", base, base + size, device->name(),
                               r.device->name()));
    }
  }
  mmio_.push_back({base, size, std::move(device)});
  return {};
}

Result<void> DeviceSet::add_pio(uint16_t base, uint16_t count, std::shared_ptr<PioDevice> device) {
  if (count == 0 || uint32_t{base} + count > 0x10000) return Error(fmt::format("port range {:#x}+{} is invalid", base, count));
  for (const auto& r : pio_) {
    if (ranges_overlap(base, count, r.base, r.count)) {
      return Error(fmt::format("ports [{:#x}, {:#x}) of {} overlap {}", base, base + count, device->name(),
                               r.device->name()));
    }
  }
  pio_.push_back({base, count, std::move(device)});
  return {};
}

void DeviceSet::add_wait_source(std::shared_ptr<WaitSource> source) { wait_sources_.push_back(std::move(source)); }

void DeviceSet::add_lean_device(LeanDeviceEntry entry) { lean_devices_.push_back(std::move(entry)); }

MmioDevice* DeviceSet::find_mmio(uint64_t gpa, uint64_t* offset) const {
  for (const auto& r : mmio_) {
    if (gpa >= r.base && gpa - r.base < r.size) {
      *offset = gpa - r.base;
      return r.device.get();
    }
  }
  return nullptr;
}

PioDevice* DeviceSet::find_pio(uint16_t port, uint16_t* offset) const {
  for (const auto& r : pio_) {
    if (port >= r.base && port - r.base < r.count) {
      *offset = static_cast<uint16_t>(port - r.base);
      return r.device.get();
    }
  }
  return nullptr;
}

std::vector<vmm_boot_device> DeviceSet::lean_descriptors() const {
  std::vector<vmm_boot_device> out;
  for (const auto& d : lean_devices_) out.push_back(d.descriptor);
  return out;
}

}  // namespace vmm
