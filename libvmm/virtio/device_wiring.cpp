#include "virtio/device_wiring.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/checked_math.h"

namespace vmm::virtio {

uint64_t lean_wanted_features(uint32_t device_id) {
  // Lean guests poll and never take interrupts; EVENT_IDX lets them skip notifications
  // the device does not want. No MRG_RXBUF and no offloads: frames fit one 2 KiB buffer
  // and are fully checksummed; no indirect descriptors (chains are short).
  const uint64_t common = bit(kFVersion1) | bit(kFRingEventIdx);
  if (device_id == kIdNet) return common | bit(net::kFMac) | bit(net::kFStatus);
  if (device_id == kIdBlock) {
    return common | bit(blk::kFSizeMax) | bit(blk::kFSegMax) | bit(blk::kFBlkSize) | bit(blk::kFFlush) | bit(blk::kFRo);
  }
  return common;
}

Result<vmm_boot_device> preconfigure_lean(VirtioDevice& device, uint64_t area, uint64_t mmio_base) {
  const uint16_t count = device.queue_count();
  const uint16_t size = std::min(kLeanQueueSize, device.queue_max_size());
  const uint64_t per_queue = kLeanQueueArea / VMM_BOOT_DEVICE_MAX_QUEUES;
  static_assert(desc_table_bytes(kLeanQueueSize) <= kLeanQueueArea / 4);
  static_assert(align_up(avail_ring_bytes(kLeanQueueSize), kUsedAlign) + used_ring_bytes(kLeanQueueSize) <=
                kLeanQueueArea / 4);
  if (count > VMM_BOOT_DEVICE_MAX_QUEUES) {
    return Error(fmt::format("{}: {} queues; the lean ABI describes at most {}", device.name(), count,
                             VMM_BOOT_DEVICE_MAX_QUEUES));
  }
  std::vector<Virtqueue::Layout> layouts;
  vmm_boot_device d{};
  for (uint16_t q = 0; q < count; ++q) {
    const uint64_t base = area + q * per_queue;
    Virtqueue::Layout l{size, base, base + per_queue / 2, 0};
    l.used = l.avail + align_up(avail_ring_bytes(size), kUsedAlign);
    layouts.push_back(l);
    d.queues[q] = {l.desc, l.avail, l.used, l.size, {}};
  }
  VMM_TRY(device.preconfigure(lean_wanted_features(device.device_id()), layouts));
  d.virtio_id = device.device_id();
  d.flags = VMM_DEVICE_PRECONFIGURED;
  d.mmio_base = mmio_base;
  d.mmio_size = mmio::kWindowSize;
  d.features = device.negotiated_features();
  d.queue_count = count;
  const auto config = device.config_space();
  std::memcpy(d.config, config.data(), std::min<size_t>(config.size(), sizeof d.config));
  return d;
}

IoBinding::~IoBinding() {
  if (!loop_) return;
  if (notify_id_ != 0) loop_->remove(notify_fd_.get(), notify_id_);
  if (host_id_ != 0) loop_->remove(host_fd_, host_id_);
}

Result<std::unique_ptr<IoBinding>> IoBinding::bind(VirtioDevice& device, Vm& vm, uint64_t mmio_base, uint32_t gsi,
                                                   bool irqchip) {
  std::unique_ptr<IoBinding> b(new IoBinding());
  b->loop_ = VMM_TRY(IoLoop::shared());
  const std::string name(device.name());
  if (vm.kvm().caps().ioeventfd) {
    b->notify_fd_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!b->notify_fd_) return Error::from_errno(fmt::format("{}: notify eventfd", name));
    VMM_TRY_CTX(vm.add_ioeventfd(b->notify_fd_.get(), mmio_base + mmio::kQueueNotify, 4, false), name);
    const int fd = b->notify_fd_.get();
    b->notify_id_ = VMM_TRY(b->loop_->add(fd, [&device, fd] {
      uint64_t count;
      if (::read(fd, &count, sizeof count) == sizeof count) device.notify_all();
    }));
  }
  if (irqchip) {
    UniqueFd irq(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!irq) return Error::from_errno(fmt::format("{}: interrupt eventfd", name));
    VMM_TRY_CTX(vm.add_irqfd(irq.get(), gsi), name);
    device.set_interrupt_fd(std::move(irq));
  }
  if (device.host_fd() >= 0) {
    b->host_fd_ = device.host_fd();
    b->host_id_ = VMM_TRY(b->loop_->add(b->host_fd_, [&device] { device.on_host_ready(); }, device.host_interest()));
    device.set_host_interest_callback(
        [loop = b->loop_.get(), fd = b->host_fd_, id = b->host_id_](bool wanted) { loop->set_enabled(fd, id, wanted); });
  }
  return b;
}

}  // namespace vmm::virtio
