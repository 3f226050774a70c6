#include "virtio/ring.h"

namespace vdrv {
namespace {

// 2.7.10
bool need_event(uint16_t event, uint16_t now, uint16_t old) {
  return static_cast<uint16_t>(now - event - 1) < static_cast<uint16_t>(now - old);
}

}  // namespace

void Ring::init(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used, bool event_idx) {
  size_ = size;
  event_idx_ = event_idx;
  desc_ = reinterpret_cast<Desc*>(desc);
  avail_ = reinterpret_cast<volatile uint16_t*>(avail);
  used_ = reinterpret_cast<volatile uint16_t*>(used);
  avail_idx_ = notified_idx_ = avail_[1];
  last_used_ = used_[1];
  // We poll: ask for no used-buffer interrupts (2.7.7 / 2.7.10; used_event one behind).
  avail_[0] = 1;
  avail_[2 + size_] = static_cast<uint16_t>(last_used_ - 1);
}

void Ring::push(uint16_t head) {
  avail_[2 + (avail_idx_ & (size_ - 1))] = head;
  ++avail_idx_;
}

void Ring::publish() {
  // The ring entries (and descriptors) before the index (2.7.13).
  __atomic_store_n(const_cast<uint16_t*>(&avail_[1]), avail_idx_, __ATOMIC_RELEASE);
}

bool Ring::needs_notify() {
  const uint16_t old = notified_idx_, now = avail_idx_;
  notified_idx_ = now;
  if (old == now) return false;
  // The index store must be visible before we read the device's suppression field.
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  if (event_idx_) {
    const auto* used32 = reinterpret_cast<volatile const uint32_t*>(used_ + 2);
    const uint16_t avail_event = *reinterpret_cast<volatile const uint16_t*>(used32 + 2 * size_);
    return need_event(avail_event, now, old);
  }
  return (used_[0] & 1) == 0;  // VRING_USED_F_NO_NOTIFY
}

bool Ring::has_used() const {
  return __atomic_load_n(const_cast<uint16_t*>(&used_[1]), __ATOMIC_ACQUIRE) != last_used_;
}

bool Ring::pop_used(uint16_t* id, uint32_t* len) {
  if (!has_used()) return false;
  const auto* elems = reinterpret_cast<volatile const uint32_t*>(used_ + 2);
  const uint16_t slot = last_used_ & (size_ - 1);
  *id = static_cast<uint16_t>(elems[2 * slot]);
  *len = elems[2 * slot + 1];
  ++last_used_;
  if (event_idx_) avail_[2 + size_] = static_cast<uint16_t>(last_used_ - 1);  // still no interrupts
  return true;
}

}  // namespace vdrv
