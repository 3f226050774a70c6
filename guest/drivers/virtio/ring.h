// The driver side of a split virtqueue (virtio 1.2 section 2.7) for our freestanding
// guests. Rings are identity-mapped guest memory shared with the device; indices are
// published with release stores and read with acquire loads. Single-threaded.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vdrv {

struct Desc {  // 2.7.5
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
inline constexpr uint16_t kDescNext = 1;
inline constexpr uint16_t kDescWrite = 2;

class Ring {
 public:
  // Adopts rings of `size` entries at the given (identity-mapped) addresses. The rings
  // must be zero or freshly reset. With event_idx (VIRTIO_F_EVENT_IDX negotiated) the
  // suppression fields at the ends of the rings are used (2.7.10).
  void init(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used, bool event_idx);

  uint16_t size() const { return size_; }
  Desc& desc(uint16_t i) { return desc_[i]; }

  // Puts chain `head` in the available ring; invisible to the device until publish().
  void push(uint16_t head);
  // Makes pushed chains visible (release store of avail->idx).
  void publish();
  // After publish(): whether the device asked to be notified about the new chains
  // (avail_event with EVENT_IDX, else VRING_USED_F_NO_NOTIFY). Each published batch is
  // judged once.
  bool needs_notify();
  // Takes the next used element; false when none.
  bool pop_used(uint16_t* id, uint32_t* len);
  // True when the device has returned chains we have not taken.
  bool has_used() const;

 private:
  uint16_t size_ = 0;
  bool event_idx_ = false;
  Desc* desc_ = nullptr;
  volatile uint16_t* avail_ = nullptr;  // flags, idx, ring[size], used_event
  volatile uint16_t* used_ = nullptr;   // flags, idx, then {u32 id, u32 len}[size], avail_event
  uint16_t avail_idx_ = 0;    // our shadow of avail->idx
  uint16_t notified_idx_ = 0; // avail->idx when needs_notify() last judged
  uint16_t last_used_ = 0;
};

}  // namespace vdrv
