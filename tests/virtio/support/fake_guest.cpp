#include "fake_guest.h"

#include <sys/mman.h>

#include <cstdlib>

namespace vmm::virtio::test {
namespace {
constexpr size_t kPage = 4096;
}

FakeRam::FakeRam(size_t bytes) : size_(bytes) {
  mapping_size_ = bytes + 2 * kPage;
  void* p = ::mmap(nullptr, mapping_size_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  mapping_ = static_cast<std::byte*>(p);
  base_ = mapping_ + kPage;
  if (::mprotect(base_, bytes, PROT_READ | PROT_WRITE) != 0) std::abort();
  memory_ = GuestMemory(base_, bytes);
  next_ = bytes / 2;  // rings live in the lower half
}

FakeRam::~FakeRam() { ::munmap(mapping_, mapping_size_); }

uint64_t FakeRam::alloc(uint64_t bytes) {
  const uint64_t gpa = next_;
  next_ = (next_ + bytes + 15) & ~uint64_t{15};
  if (next_ > size_) std::abort();  // a test asked for too much
  return gpa;
}

ChainBuilder& ChainBuilder::readable(std::span<const std::byte> bytes) {
  const uint64_t gpa = q_.ram().alloc(bytes.size());
  q_.ram().put_bytes(gpa, bytes);
  return raw(gpa, static_cast<uint32_t>(bytes.size()), 0);
}

ChainBuilder& ChainBuilder::writable(uint32_t len, uint64_t* gpa_out) {
  const uint64_t gpa = q_.ram().alloc(len);
  std::memset(q_.ram().at(gpa), 0xee, len);
  if (gpa_out) *gpa_out = gpa;
  return raw(gpa, len, kDescFWrite);
}

ChainBuilder& ChainBuilder::raw(uint64_t addr, uint32_t len, uint16_t flags, bool exact, uint16_t next) {
  entries_.push_back({{addr, len, flags, next}, exact});
  return *this;
}

ChainBuilder& ChainBuilder::indirect(std::span<const VirtqDesc> descs, uint16_t extra_flags) {
  const uint64_t table = q_.ram().alloc(descs.size_bytes());
  q_.ram().put_bytes(table, std::as_bytes(descs));
  return raw(table, static_cast<uint32_t>(descs.size_bytes()), static_cast<uint16_t>(kDescFIndirect | extra_flags));
}

uint16_t ChainBuilder::publish() {
  std::vector<uint16_t> slots;
  for (size_t i = 0; i < entries_.size(); ++i) slots.push_back(q_.take_desc());
  for (size_t i = 0; i < entries_.size(); ++i) {
    VirtqDesc d = entries_[i].desc;
    if (!entries_[i].exact && i + 1 < entries_.size()) {
      d.flags = static_cast<uint16_t>(d.flags | kDescFNext);
      d.next = slots[i + 1];
    }
    q_.write_desc(slots[i], d);
  }
  q_.make_available(slots.front());
  return slots.front();
}

DriverQueue::DriverQueue(FakeRam& ram, uint64_t base, uint16_t size) : ram_(ram) {
  layout_.size = size;
  layout_.desc = base;
  layout_.avail = base + desc_table_bytes(size);
  layout_.used = (layout_.avail + avail_ring_bytes(size) + 3) & ~uint64_t{3};
}

uint16_t DriverQueue::take_desc() {
  const uint16_t i = next_desc_;
  next_desc_ = static_cast<uint16_t>((next_desc_ + 1) % layout_.size);
  return i;
}

void DriverQueue::write_desc(uint16_t i, const VirtqDesc& d) { ram_.put(layout_.desc + 16 * uint64_t{i}, d); }

void DriverQueue::set_avail_entry(uint16_t slot, uint16_t head) {
  ram_.put<uint16_t>(layout_.avail + 4 + 2 * uint64_t{static_cast<uint16_t>(slot % layout_.size)}, head);
}

void DriverQueue::make_available(uint16_t head) {
  set_avail_entry(avail_idx_, head);
  set_avail_idx(static_cast<uint16_t>(avail_idx_ + 1));
}

void DriverQueue::set_avail_idx(uint16_t idx) {
  avail_idx_ = idx;
  ram_.put<uint16_t>(layout_.avail + 2, idx);
}

VirtqUsedElem DriverQueue::used(uint16_t i) const {
  return ram_.get<VirtqUsedElem>(layout_.used + 4 + 8 * uint64_t{static_cast<uint16_t>(i % layout_.size)});
}

uint16_t DriverQueue::avail_event() const { return ram_.get<uint16_t>(layout_.used + 4 + 8 * uint64_t{layout_.size}); }

void DriverQueue::set_used_event(uint16_t v) { ram_.put<uint16_t>(layout_.avail + 4 + 2 * uint64_t{layout_.size}, v); }

}  // namespace vmm::virtio::test
