#include "virtio/virtqueue.h"

#include <atomic>

#include <fmt/format.h>

#include "core/checked_math.h"

namespace vmm::virtio {

std::string_view to_string(ChainError error) {
  switch (error) {
    case ChainError::None: return "no error";
    case ChainError::NextOutOfRange: return "descriptor index out of range";
    case ChainError::TooLong: return "chain longer than the queue (cycle?)";
    case ChainError::BufferOutsideRam: return "buffer outside guest RAM";
    case ChainError::ChainOver4GiB: return "chain larger than 4 GiB";
    case ChainError::IndirectNotNegotiated: return "indirect descriptor without VIRTIO_F_INDIRECT_DESC";
    case ChainError::IndirectWithNext: return "descriptor with both INDIRECT and NEXT";
    case ChainError::IndirectNested: return "indirect descriptor inside an indirect table";
    case ChainError::IndirectBadSize: return "indirect table of a bad size";
    case ChainError::ReadableAfterWritable: return "device-readable descriptor after a writable one";
  }
  return "unknown chain error";
}

Result<Virtqueue> Virtqueue::create(const GuestMemory& mem, Layout layout, Options options) {
  const uint16_t n = layout.size;
  // 2.7 / 4.2.2.2: QueueNum is a power of two no larger than QueueNumMax.
  if (!is_power_of_two(n) || n > options.max_size) {
    return Error(fmt::format("queue size {} is not a power of two in [1, {}]", n, options.max_size));
  }
  struct Part {
    const char* name;
    uint64_t gpa, bytes, align;
  };
  const Part parts[] = {{"descriptor table", layout.desc, desc_table_bytes(n), kDescAlign},
                        {"driver area (avail ring)", layout.avail, avail_ring_bytes(n), kAvailAlign},
                        {"device area (used ring)", layout.used, used_ring_bytes(n), kUsedAlign}};
  for (const Part& p : parts) {
    // 2.7 "Virtqueue Part Alignment"; 2.7.x parts must be in guest memory.
    if (p.gpa % p.align != 0) return Error(fmt::format("{} at {:#x} is not {}-byte aligned", p.name, p.gpa, p.align));
    if (!mem.contains(p.gpa, p.bytes)) {
      return Error(fmt::format("{} [{:#x}, +{:#x}) lies outside guest RAM", p.name, p.gpa, p.bytes));
    }
  }
  return Virtqueue(mem, layout, options);
}

Virtqueue::Virtqueue(const GuestMemory& mem, Layout layout, Options options)
    : mem_(mem), layout_(layout), options_(options) {
  // The device starts from the indices the rings hold (0 after a driver's setup; the
  // driver's own values when the VMM preconfigured the queue and the guest reset nothing).
  avail_idx_ = next_avail_ = 0;
  next_used_ = published_ = 0;
}

void Virtqueue::refresh_avail() {
  auto idx = mem_.load_acquire<uint16_t>(layout_.avail + 2);
  if (!idx) {  // cannot happen: checked at create()
    broken_ = "available ring unreadable";
    return;
  }
  // 2.7.6: the driver can have at most `size` buffers outstanding; an index further
  // ahead is a corrupt (or hostile) driver: the queue stops (DEVICE_NEEDS_RESET).
  if (static_cast<uint16_t>(*idx - next_avail_) > layout_.size) {
    broken_ = "available index ran ahead of the queue size";
    return;
  }
  avail_idx_ = *idx;
}

uint16_t Virtqueue::pending() {
  if (broken_) return 0;
  refresh_avail();
  return broken_ ? 0 : static_cast<uint16_t>(avail_idx_ - next_avail_);
}

Virtqueue::Pop Virtqueue::pop(DescriptorChain& out) {
  if (broken_) return Pop::Broken;
  if (avail_idx_ == next_avail_) {
    refresh_avail();
    if (broken_) return Pop::Broken;
    if (avail_idx_ == next_avail_) return Pop::Empty;
  }
  const uint64_t slot = layout_.avail + 4 + 2 * uint64_t{static_cast<uint16_t>(next_avail_ % layout_.size)};
  const uint16_t head = *mem_.try_read<uint16_t>(slot);  // in range: checked at create()
  // 2.7.6: ring entries are descriptor indices; one out of range cannot even be returned.
  if (head >= layout_.size) {
    broken_ = "available ring entry is not a descriptor index";
    return Pop::Broken;
  }
  ++next_avail_;
  return walk(head, out) ? Pop::Chain : Pop::BadChain;
}

ChainError Virtqueue::add_segment(const VirtqDesc& d, DescriptorChain& out) const {
  const bool writable = (d.flags & kDescFWrite) != 0;
  // 2.7.4.2: device-readable descriptors precede device-writable ones.
  if (!writable && out.writable_bytes > 0) return ChainError::ReadableAfterWritable;
  if (d.len == 0) return ChainError::None;
  std::byte* host = mem_.host_ptr(d.addr, d.len);  // whole range, overflow-safe
  if (host == nullptr) return ChainError::BufferOutsideRam;
  uint64_t& total = writable ? out.writable_bytes : out.readable_bytes;
  total += d.len;
  if (out.readable_bytes + out.writable_bytes > UINT32_MAX) return ChainError::ChainOver4GiB;
  out.segments.push_back({d.addr, d.len, writable, host});
  return ChainError::None;
}

ChainError Virtqueue::walk_indirect(const VirtqDesc& table, DescriptorChain& out) const {
  if (!options_.indirect) return ChainError::IndirectNotNegotiated;      // 2.7.5.3.1
  if (table.flags & kDescFNext) return ChainError::IndirectWithNext;     // 2.7.5.3.1
  const uint32_t count = table.len / sizeof(VirtqDesc);
  if (table.len == 0 || table.len % sizeof(VirtqDesc) != 0 || count > options_.max_indirect) {
    return ChainError::IndirectBadSize;
  }
  if (!mem_.contains(table.addr, table.len)) return ChainError::BufferOutsideRam;
  uint32_t index = 0;
  for (uint32_t ttl = count; ttl > 0; --ttl) {
    const VirtqDesc d = *mem_.try_read<VirtqDesc>(table.addr + uint64_t{index} * sizeof(VirtqDesc));  // copy once
    if (d.flags & kDescFIndirect) return ChainError::IndirectNested;  // 2.7.5.3.1
    if (ChainError e = add_segment(d, out); e != ChainError::None) return e;
    if (!(d.flags & kDescFNext)) return ChainError::None;
    if (d.next >= count) return ChainError::NextOutOfRange;  // 2.7.5.3.2
    index = d.next;
  }
  return ChainError::TooLong;
}

bool Virtqueue::walk(uint16_t head, DescriptorChain& out) const {
  out.head = head;
  out.error = ChainError::None;
  out.segments.clear();
  out.readable_bytes = out.writable_bytes = 0;
  uint16_t index = head;
  // TTL: a chain visits at most `size` descriptors of the table (2.7.5.3.1), so a cycle
  // cannot keep the walk going.
  for (uint32_t ttl = layout_.size; ttl > 0; --ttl) {
    const VirtqDesc d = *mem_.try_read<VirtqDesc>(layout_.desc + uint64_t{index} * sizeof(VirtqDesc));  // copy once
    if (d.flags & kDescFIndirect) {
      out.error = walk_indirect(d, out);
      return out.error == ChainError::None;
    }
    if (ChainError e = add_segment(d, out); e != ChainError::None) {
      out.error = e;
      return false;
    }
    if (!(d.flags & kDescFNext)) return true;
    if (d.next >= layout_.size) {  // 2.7.5: next must index the table
      out.error = ChainError::NextOutOfRange;
      return false;
    }
    index = d.next;
  }
  out.error = ChainError::TooLong;
  return false;
}

void Virtqueue::add_used(uint16_t head, uint32_t written) {
  const uint64_t slot = layout_.used + 4 + 8 * uint64_t{static_cast<uint16_t>(next_used_ % layout_.size)};
  mem_.try_write(slot, VirtqUsedElem{head, written});
  ++next_used_;
}

bool Virtqueue::publish() {
  if (next_used_ == published_) return false;
  const uint16_t old = published_;
  mem_.store_release<uint16_t>(layout_.used + 2, next_used_);  // 2.7.8: elements before idx
  published_ = next_used_;
  // The driver's suppression fields are read after the index store is visible (2.7.10).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (options_.event_idx) {
    const uint16_t used_event = *mem_.try_read<uint16_t>(layout_.avail + 4 + 2 * uint64_t{layout_.size});
    return vring_need_event(used_event, published_, old);
  }
  const uint16_t flags = *mem_.try_read<uint16_t>(layout_.avail);
  return (flags & kAvailFNoInterrupt) == 0;
}

bool Virtqueue::set_notification(bool want) {
  if (broken_) return false;
  if (options_.event_idx) {
    // 2.7.10: avail_event is the avail index at which we want to hear; one behind what we
    // have taken means "never" (the driver's old index is never behind it).
    const uint16_t event = want ? next_avail_ : static_cast<uint16_t>(next_avail_ - 1);
    mem_.try_write<uint16_t>(layout_.used + 4 + 8 * uint64_t{layout_.size}, event);
  } else {
    mem_.try_write<uint16_t>(layout_.used, want ? 0 : kUsedFNoNotify);  // 2.7.7.1
  }
  if (!want) return false;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return pending() > 0;
}

}  // namespace vmm::virtio
