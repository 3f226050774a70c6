// virtio-mmio devices from InstanceConfig::nets and ::disks (docs/virtio.md).
//
// Device i (nets first, then disks, in configuration order) gets the MMIO window
// kDeviceMmio + i * 4 KiB. Lean guests find it preconfigured in the boot device table,
// with its rings in the queue area below the stack; standard guests find it on the
// command line (virtio_mmio.device=4K@<base>:<irq>, IRQ 5 + i as Firecracker does) and
// get ioeventfd notifications and irqfd interrupts (docs/io-model.md).
#include <fmt/format.h>

#include "arch/x86_64/layout.h"
#include "core/checked_math.h"
#include "instance/instance_impl.h"
#include "loader/image_internals.h"
#include "virtio/blk_device.h"
#include "virtio/device_wiring.h"
#include "virtio/net_device.h"

namespace vmm {
namespace {

using virtio::VirtioDevice;
namespace lean = x86::lean;

constexpr uint32_t kFirstIrq = 5;

uint64_t window(size_t index) { return lean::kDeviceMmio + index * lean::kDeviceMmioSize; }

// VMM_HC_NOTIFY for a preconfigured device: bit q of `mask` is queue q.
int64_t lean_notify(VirtioDevice& device, uint32_t mask) {
  const uint32_t valid = (1u << device.queue_count()) - 1;
  for (uint32_t q = 0; q < device.queue_count(); ++q) {
    if (mask & (1u << q)) device.notify(q);
  }
  return (mask == 0 || (mask & ~valid) != 0) ? -int64_t{VMM_EINVAL} : int64_t{VMM_EOK};
}

Result<std::shared_ptr<VirtioDevice>> create_device(size_t index, const InstanceConfig& config,
                                                    const GuestMemory& memory) {
  if (index < config.nets.size()) {
    return VMM_TRY(virtio::NetDevice::create(fmt::format("virtio-net{}", index), config.nets[index], memory));
  }
  const DiskConfig& disk = config.disks[index - config.nets.size()];
  return VMM_TRY(virtio::BlkDevice::create(fmt::format("virtio-blk{} ({})", index, disk.path), disk, memory));
}

}  // namespace

Result<void> Instance::Impl::attach_devices() {
  const size_t count = config.nets.size() + config.disks.size();
  if (count == 0) return {};
  const bool is_lean = config.image->protocol() == BootProtocol::Lean;
  uint64_t queue_area = 0;
  if (is_lean) {
    if (count > lean::kDevicesMax) {
      return Error(fmt::format("{} devices requested; the lean ABI describes at most {}", count, lean::kDevicesMax));
    }
    // The rings live right below the stack (boot memory map: VMM_MEM_QUEUES).
    const uint64_t stack = layout.ram_size - lean::kStackSize;
    const uint64_t bytes = count * lean::kDeviceQueueArea;
    const uint64_t image_end = align_up(config.image->internals().elf.load_end, x86::kPageSize);
    if (stack < image_end + bytes) {
      return Error(fmt::format("lean ABI: the rings of {} devices ({} KiB) do not fit between the image and the "
                               "stack; give the guest more memory", count, bytes >> 10));
    }
    queue_area = stack - bytes;
  }
  for (size_t i = 0; i < count; ++i) {
    std::shared_ptr<VirtioDevice> device = VMM_TRY(create_device(i, config, memory));
    VMM_TRY(devices.add_mmio(window(i), lean::kDeviceMmioSize, device));
    if (is_lean) {
      LeanDeviceEntry entry;
      entry.descriptor = VMM_TRY(virtio::preconfigure_lean(*device, queue_area + i * lean::kDeviceQueueArea, window(i)));
      entry.notify = [d = device.get()](uint32_t mask) { return lean_notify(*d, mask); };
      devices.add_lean_device(std::move(entry));
      if (device->host_fd() >= 0) devices.add_wait_source(device);
    } else {
      const auto irq = static_cast<uint32_t>(kFirstIrq + i);
      device->attach_io(VMM_TRY(virtio::IoBinding::bind(*device, vm(), window(i), irq, irqchip)));
      if (!cmdline_extra.empty()) cmdline_extra += ' ';
      cmdline_extra += fmt::format("virtio_mmio.device=4K@{:#x}:{}", window(i), irq);
    }
  }
  return {};
}

std::vector<DeviceStats> Instance::Impl::collect_device_stats() const {
  std::vector<DeviceStats> out;
  const size_t count = config.nets.size() + config.disks.size();
  for (size_t i = 0; i < count; ++i) {
    uint64_t offset = 0;
    if (auto* device = dynamic_cast<VirtioDevice*>(devices.find_mmio(window(i), &offset))) out.push_back(device->stats());
  }
  return out;
}

}  // namespace vmm
