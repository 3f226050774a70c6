// The virtio-mmio register file (virtio 1.2 section 4.2.2, version 2 / modern only).
#include <cstring>

#include <fmt/format.h>

#include "virtio/virtio_device.h"

namespace vmm::virtio {
namespace {

uint32_t low(uint64_t v) { return static_cast<uint32_t>(v); }
uint32_t high(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
void set_low(uint64_t& v, uint32_t x) { v = (v & ~uint64_t{UINT32_MAX}) | x; }
void set_high(uint64_t& v, uint32_t x) { v = (v & UINT32_MAX) | (uint64_t{x} << 32); }

}  // namespace

void VirtioDevice::mmio_read(uint64_t offset, std::span<uint8_t> data) {
  std::fill(data.begin(), data.end(), uint8_t{0});
  std::lock_guard lock(mu_);
  if (offset >= mmio::kConfig) {
    // 4.2.2.2: config fields are read with accesses of their own width; any access that
    // lies inside the config space is served, the rest reads as zeros.
    const uint64_t at = offset - mmio::kConfig;
    if (data.size() <= 8 && at <= config_.size() && data.size() <= config_.size() - at) {
      std::memcpy(data.data(), config_.data() + at, data.size());
    } else {
      register_error(fmt::format("config read of {} bytes at {:#x} outside the config space", data.size(), at));
    }
    return;
  }
  if (data.size() != 4 || offset % 4 != 0) {
    // 4.2.2.2: control registers are accessed 32 bits wide and aligned only.
    return register_error(fmt::format("{}-byte read of control register {:#x}", data.size(), offset));
  }
  const uint32_t value = read_register(offset);
  std::memcpy(data.data(), &value, 4);
}

void VirtioDevice::mmio_write(uint64_t offset, std::span<const uint8_t> data) {
  uint32_t value = 0;
  if (data.size() == 4) std::memcpy(&value, data.data(), 4);
  // notify() takes the lock itself (it is also the ioeventfd and hypercall path).
  if (offset == mmio::kQueueNotify && data.size() == 4) return notify(value);
  std::lock_guard lock(mu_);
  if (offset >= mmio::kConfig) {
    // 5.1.4 / 5.2.4: our config fields are read-only to the driver.
    return register_error(fmt::format("write of {} bytes to read-only config space at {:#x}", data.size(),
                                      offset - mmio::kConfig));
  }
  if (data.size() != 4 || offset % 4 != 0) {  // 4.2.2.2
    return register_error(fmt::format("{}-byte write to control register {:#x}", data.size(), offset));
  }
  write_register(offset, value);
}

uint32_t VirtioDevice::read_register(uint64_t offset) {
  const bool queue_ok = queue_sel_ < queues_.size();
  switch (offset) {
    case mmio::kMagicValue: return mmio::kMagic;
    case mmio::kVersionReg: return mmio::kVersion;
    case mmio::kDeviceId: return device_id_;
    case mmio::kVendorIdReg: return mmio::kVendorId;
    case mmio::kDeviceFeatures:
      // 4.2.2: DeviceFeaturesSel picks 32 bits; sets beyond 64 bits read as 0.
      return device_features_sel_ == 0 ? low(offered_) : device_features_sel_ == 1 ? high(offered_) : 0;
    case mmio::kQueueNumMax:
      return queue_ok ? queue_max_ : 0;  // 4.2.2: 0 when the queue is not available
    case mmio::kQueueReady: return queue_ok && queues_[queue_sel_].ready ? 1 : 0;
    case mmio::kInterruptStatus: return interrupt_status_;
    case mmio::kStatus: return status_ | (needs_reset_.load() ? kStatusDeviceNeedsReset : 0);
    case mmio::kQueueDescLow: return queue_ok ? low(queues_[queue_sel_].layout.desc) : 0;
    case mmio::kQueueDescHigh: return queue_ok ? high(queues_[queue_sel_].layout.desc) : 0;
    case mmio::kQueueDriverLow: return queue_ok ? low(queues_[queue_sel_].layout.avail) : 0;
    case mmio::kQueueDriverHigh: return queue_ok ? high(queues_[queue_sel_].layout.avail) : 0;
    case mmio::kQueueDeviceLow: return queue_ok ? low(queues_[queue_sel_].layout.used) : 0;
    case mmio::kQueueDeviceHigh: return queue_ok ? high(queues_[queue_sel_].layout.used) : 0;
    case mmio::kShmLenLow:
    case mmio::kShmLenHigh:
    case mmio::kShmBaseLow:
    case mmio::kShmBaseHigh: return UINT32_MAX;  // 4.2.2: no shared memory region: -1
    case mmio::kConfigGeneration: return 0;  // the config space never changes after attach
    default:
      // Write-only registers and holes read as 0.
      register_error(fmt::format("read of write-only or unknown register {:#x}", offset));
      return 0;
  }
}

void VirtioDevice::write_register(uint64_t offset, uint32_t value) {
  switch (offset) {
    case mmio::kDeviceFeaturesSel: device_features_sel_ = value; return;
    case mmio::kDriverFeaturesSel: driver_features_sel_ = value; return;
    case mmio::kDriverFeatures:
      // 3.1.1 step 5: features are written after DRIVER and before FEATURES_OK.
      if (!(status_ & kStatusDriver) || (status_ & kStatusFeaturesOk)) {
        return register_error(fmt::format("DriverFeatures written in status {:#x}", status_));
      }
      if (driver_features_sel_ == 0) set_low(driver_features_, value);
      else if (driver_features_sel_ == 1) set_high(driver_features_, value);
      else if (value != 0) {
        // Bits beyond 64 were never offered: remember the violation for FEATURES_OK.
        set_high(driver_features_, high(driver_features_) | (1u << 31));
      }
      return;
    case mmio::kQueueSel: queue_sel_ = value; return;  // bounded where it is used
    case mmio::kInterruptAck: interrupt_status_ &= ~value; return;  // 4.2.2
    case mmio::kStatus: return write_status(value);
    default: break;
  }
  // Queue configuration registers (4.2.3.2).
  if (queue_sel_ >= queues_.size()) {
    return register_error(fmt::format("register {:#x} written with QueueSel {} out of range (device has {} queues)",
                                      offset, queue_sel_, queues_.size()));
  }
  QueueSlot& slot = queues_[queue_sel_];
  if (offset == mmio::kQueueReady) return set_queue_ready(queue_sel_, value == 1);
  if (slot.ready) {
    // 4.2.3.2: a queue's size and addresses are fixed while it is ready.
    return register_error(fmt::format("queue {} register {:#x} written while the queue is ready", queue_sel_, offset));
  }
  Virtqueue::Layout& l = slot.layout;
  switch (offset) {
    case mmio::kQueueNum:
      // Checked (power of two, <= QueueNumMax) when the queue is made ready.
      l.size = value <= UINT16_MAX ? static_cast<uint16_t>(value) : 0;
      return;
    case mmio::kQueueDescLow: return set_low(l.desc, value);
    case mmio::kQueueDescHigh: return set_high(l.desc, value);
    case mmio::kQueueDriverLow: return set_low(l.avail, value);
    case mmio::kQueueDriverHigh: return set_high(l.avail, value);
    case mmio::kQueueDeviceLow: return set_low(l.used, value);
    case mmio::kQueueDeviceHigh: return set_high(l.used, value);
    default:
      return register_error(fmt::format("write of {:#x} to read-only or unknown register {:#x}", value, offset));
  }
}

}  // namespace vmm::virtio
