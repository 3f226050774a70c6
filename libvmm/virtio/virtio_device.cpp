// The device status state machine (2.1, 3.1.1), feature negotiation (2.2), queue
// activation (4.2.3.2) and the processing helpers shared by the device types.
#include "virtio/virtio_device.h"

#include <unistd.h>

#include <fmt/format.h>

namespace vmm::virtio {
namespace {

// 3.1.1: the initialisation steps, in the order the driver must set them.
constexpr uint32_t kSteps[] = {kStatusAcknowledge, kStatusDriver, kStatusFeaturesOk, kStatusDriverOk};
constexpr uint32_t kDriverBits = kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk | kStatusFailed;

// True when the step bits of `status` are a prefix of kSteps (no step without the earlier).
bool steps_in_order(uint32_t status) {
  bool missing = false;
  for (uint32_t s : kSteps) {
    if (status & s) {
      if (missing) return false;
    } else {
      missing = true;
    }
  }
  return true;
}

}  // namespace

VirtioDevice::VirtioDevice(std::string name, Identity identity, const GuestMemory& mem)
    : mem_(mem),
      name_(std::move(name)),
      device_id_(identity.device_id),
      offered_(identity.features | bit(kFVersion1)),
      queue_max_(identity.queue_max),
      config_(std::move(identity.config)),
      queues_(identity.queue_count) {
  host_interest_.store(false);
  for (QueueSlot& s : queues_) s.layout.size = queue_max_;
}

uint64_t VirtioDevice::negotiated_features() const {
  std::lock_guard lock(mu_);
  return (status_ & kStatusFeaturesOk) ? features_ : 0;
}

uint32_t VirtioDevice::status() const {
  std::lock_guard lock(mu_);
  return status_ | (needs_reset_.load() ? kStatusDeviceNeedsReset : 0);
}

DeviceStats VirtioDevice::stats() const { return counters_.snapshot(name_, needs_reset_.load()); }

bool VirtioDevice::running() const {
  return (status_ & kStatusDriverOk) && !(status_ & kStatusFailed) && !needs_reset_.load();
}

void VirtioDevice::reset() {
  // 4.2.2.1: a reset clears InterruptStatus and every QueueReady; 2.4: all device state.
  status_ = 0;
  driver_features_ = features_ = 0;
  device_features_sel_ = driver_features_sel_ = queue_sel_ = 0;
  interrupt_status_ = 0;
  for (QueueSlot& s : queues_) s = QueueSlot{{queue_max_, 0, 0, 0}, false, {}};
  needs_reset_.store(false);
  set_host_interest(false);
  on_reset();
}

void VirtioDevice::write_status(uint32_t value) {
  if (value == 0) return reset();  // 2.4.1 / 4.2.2: writing 0 resets the device
  value &= ~kStatusDeviceNeedsReset;  // the device's bit: drivers echo it back, ignore it
  if (value & ~kDriverBits) return register_error(fmt::format("status {:#x} has unknown bits", value));
  // 2.1.2: the driver MUST NOT clear a device status bit (other than by a reset).
  if (status_ & ~value) {
    return register_error(fmt::format("status write {:#x} clears bits of {:#x}", value, status_));
  }
  // 3.1.1: ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK are set in this order.
  if (!steps_in_order(value)) return register_error(fmt::format("status {:#x} skips an initialisation step", value));
  const uint32_t added = value & ~status_;
  if (added & kStatusFeaturesOk) {
    if (!accept_features()) {
      // 3.1.1 step 6: the driver re-reads the status and finds FEATURES_OK clear.
      status_ = value & ~(kStatusFeaturesOk | kStatusDriverOk);
      return;
    }
  }
  status_ = value;
  if (added & kStatusDriverOk) {
    on_driver_ok();
    set_host_interest(running());
  }
  if (added & kStatusFailed) set_host_interest(false);
}

bool VirtioDevice::accept_features() {
  if (const uint64_t extra = driver_features_ & ~offered_; extra != 0) {
    // 2.2.1: the driver MUST NOT accept a feature the device did not offer.
    error(fmt::format("driver accepted features {:#x} that were not offered; FEATURES_OK refused", extra));
    return false;
  }
  if (!((driver_features_ >> kFVersion1) & 1)) {
    // 6.1: this device is modern only; a driver without VERSION_1 is a legacy driver.
    error("driver did not accept VIRTIO_F_VERSION_1 (legacy drivers are not supported); FEATURES_OK refused");
    return false;
  }
  if (const char* why = check_features(driver_features_)) {
    error(fmt::format("features {:#x} refused: {}", driver_features_, why));
    return false;
  }
  features_ = driver_features_;
  return true;
}

void VirtioDevice::set_queue_ready(uint32_t q, bool ready) {
  QueueSlot& slot = queues_[q];
  if (!ready) {
    slot.ready = false;
    slot.vq = {};
    return;
  }
  if (!(status_ & kStatusFeaturesOk) || (status_ & kStatusFailed)) {
    // 3.1.1 step 7: queues are set up after FEATURES_OK (the ring format depends on them).
    return register_error(fmt::format("queue {} made ready before FEATURES_OK", q));
  }
  Virtqueue::Options options;
  options.max_size = queue_max_;
  options.event_idx = feature(kFRingEventIdx);
  options.indirect = feature(kFRingIndirectDesc);
  auto vq = Virtqueue::create(mem_, slot.layout, options);
  if (!vq) {
    // 4.2.3.2: size and ring addresses are checked once, here.
    return needs_reset(fmt::format("queue {}: {}", q, vq.error().message()));
  }
  slot.vq = std::move(*vq);
  slot.ready = true;
}

Virtqueue* VirtioDevice::queue(uint16_t q) {
  if (q >= queues_.size() || !queues_[q].ready || !running()) return nullptr;
  return &queues_[q].vq;
}

void VirtioDevice::notify(uint32_t q) {
  std::lock_guard lock(mu_);
  DeviceCounters::bump(counters_.notifications);
  if (q >= queues_.size() || !queues_[q].ready || !running()) {
    // 3.1.1: no notifications before DRIVER_OK; 4.2.2: QueueNotify names a queue.
    return register_error(fmt::format("notification for queue {} which is not running", q));
  }
  process_queue(static_cast<uint16_t>(q));
}

void VirtioDevice::notify_all() {
  std::lock_guard lock(mu_);
  DeviceCounters::bump(counters_.notifications);
  for (uint16_t q = 0; q < queues_.size(); ++q) {
    if (queue(q) != nullptr) process_queue(q);
  }
}

void VirtioDevice::on_host_ready() {
  std::lock_guard lock(mu_);
  if (running()) process_host();
}

int VirtioDevice::poll_fd() const { return host_interest_.load(std::memory_order_relaxed) ? host_fd() : -1; }

bool VirtioDevice::has_work() {
  std::lock_guard lock(mu_);
  return running() && host_work_pending();
}

bool VirtioDevice::process() {
  std::lock_guard lock(mu_);
  return running() && process_host();
}

void VirtioDevice::set_interrupt_fd(UniqueFd fd) {
  std::lock_guard lock(mu_);
  irq_fd_ = std::move(fd);
}

void VirtioDevice::set_host_interest_callback(std::function<void(bool)> on_interest) {
  std::lock_guard lock(mu_);
  on_interest_ = std::move(on_interest);
}

void VirtioDevice::set_host_interest(bool wanted) {
  if (host_fd() < 0 || host_interest_.exchange(wanted) == wanted) return;
  if (on_interest_) on_interest_(wanted);
}

void VirtioDevice::raise_interrupt(uint32_t bits) {
  interrupt_status_ |= bits;  // 4.2.2.1: set from the event until the driver's ACK
  DeviceCounters::bump(counters_.interrupts);
  if (irq_fd_) {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(irq_fd_.get(), &one, sizeof one);  // EAGAIN: already pending
  }
}

void VirtioDevice::publish(Virtqueue& vq) {
  if (vq.publish()) raise_interrupt(mmio::kInterruptVring);
}

void VirtioDevice::drain(uint16_t q, const std::function<uint32_t(const DescriptorChain&)>& handle) {
  Virtqueue* vq = queue(q);
  if (vq == nullptr) return;
  DescriptorChain chain;
  do {
    for (bool more = true; more;) {
      switch (vq->pop(chain)) {
        case Virtqueue::Pop::Empty:
          more = false;
          break;
        case Virtqueue::Pop::Broken:
          publish(*vq);
          return needs_reset(fmt::format("queue {}: {}", q, vq->broken_reason()));
        case Virtqueue::Pop::BadChain:
          error(fmt::format("queue {}: chain at descriptor {} refused: {}", q, chain.head, to_string(chain.error)));
          vq->add_used(chain.head, 0);
          break;
        case Virtqueue::Pop::Chain:
          vq->add_used(chain.head, handle(chain));
          break;
      }
    }
    publish(*vq);
  } while (vq->set_notification(true));
}

void VirtioDevice::needs_reset(const std::string& why) {
  error(why);
  if (needs_reset_.exchange(true)) return;
  set_host_interest(false);
  raise_interrupt(mmio::kInterruptConfig);  // 2.1.2: SHOULD send a config change notification
}

void VirtioDevice::error(const std::string& what) {
  DeviceCounters::bump(counters_.errors);
  counters_.note_error(fmt::format("{}: {}", name_, what));
}

void VirtioDevice::register_error(const std::string& what) {
  DeviceCounters::bump(counters_.register_errors);
  counters_.note_error(fmt::format("{}: {}", name_, what));
}

Result<void> VirtioDevice::preconfigure(uint64_t wanted_features, std::span<const Virtqueue::Layout> layouts) {
  std::lock_guard lock(mu_);
  if (layouts.size() != queues_.size()) {
    return Error(fmt::format("{}: {} queue layouts given for {} queues", name_, layouts.size(), queues_.size()));
  }
  reset();
  uint32_t status = 0;
  for (uint32_t step : {kStatusAcknowledge, kStatusDriver}) write_status(status |= step);
  driver_features_ = (wanted_features | bit(kFVersion1)) & offered_;
  write_status(status |= kStatusFeaturesOk);
  if (!(status_ & kStatusFeaturesOk)) return Error(fmt::format("{}: feature negotiation failed", name_));
  for (uint32_t q = 0; q < queues_.size(); ++q) {
    queues_[q].layout = layouts[q];
    set_queue_ready(q, true);
    if (!queues_[q].ready) return Error(counters_.snapshot(name_, true).last_error);
  }
  write_status(status |= kStatusDriverOk);
  return {};
}

}  // namespace vmm::virtio
