// A fake guest for device tests: RAM fenced by PROT_NONE guard pages (a device access
// outside guest RAM crashes the test instead of passing unnoticed), and the driver's
// side of split virtqueues with a fluent descriptor-chain builder:
//
//   DriverQueue q(ram, 0x1000, 16);
//   uint16_t head = q.chain().readable(hdr).writable(512).writable(1).publish();
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "virtio/virtqueue.h"
#include "vmm/guest_memory.h"

namespace vmm::virtio::test {

class FakeRam {
 public:
  explicit FakeRam(size_t bytes = 1 << 20);
  ~FakeRam();
  FakeRam(const FakeRam&) = delete;
  FakeRam& operator=(const FakeRam&) = delete;

  const GuestMemory& memory() const { return memory_; }
  uint64_t size() const { return size_; }
  std::byte* at(uint64_t gpa) { return base_ + gpa; }
  template <class T>
  T get(uint64_t gpa) const {
    T v;
    std::memcpy(&v, base_ + gpa, sizeof v);
    return v;
  }
  template <class T>
  void put(uint64_t gpa, const T& v) {
    std::memcpy(base_ + gpa, &v, sizeof v);
  }
  void put_bytes(uint64_t gpa, std::span<const std::byte> bytes) { std::memcpy(base_ + gpa, bytes.data(), bytes.size()); }
  // A bump allocator for buffers, above the rings (16-byte aligned).
  uint64_t alloc(uint64_t bytes);

 private:
  std::byte* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  std::byte* base_ = nullptr;
  uint64_t size_ = 0;
  uint64_t next_ = 0;
  GuestMemory memory_;
};

class DriverQueue;

// Builds one chain: descriptors are taken from the table in order; publish() links them,
// makes the chain available and returns its head.
class ChainBuilder {
 public:
  explicit ChainBuilder(DriverQueue& q) : q_(q) {}
  // A device-readable buffer holding `bytes` (copied into fresh guest memory).
  ChainBuilder& readable(std::span<const std::byte> bytes);
  template <class T>
  ChainBuilder& readable_struct(const T& v) { return readable(std::as_bytes(std::span(&v, 1))); }
  // A device-writable buffer of `len` bytes (filled with 0xee so writes are visible).
  ChainBuilder& writable(uint32_t len, uint64_t* gpa_out = nullptr);
  // A raw descriptor, exactly as given (flags NEXT are still added between descriptors
  // unless `exact`).
  ChainBuilder& raw(uint64_t addr, uint32_t len, uint16_t flags, bool exact = false, uint16_t next = 0);
  // An indirect descriptor pointing at a table of `descs` (written to guest memory).
  ChainBuilder& indirect(std::span<const VirtqDesc> descs, uint16_t extra_flags = 0);
  uint16_t publish();

 private:
  struct Entry {
    VirtqDesc desc;
    bool exact;
  };
  DriverQueue& q_;
  std::vector<Entry> entries_;
};

class DriverQueue {
 public:
  // Rings for `size` entries at `base` (desc, avail, used, naturally aligned).
  DriverQueue(FakeRam& ram, uint64_t base, uint16_t size);

  Virtqueue::Layout layout() const { return layout_; }
  ChainBuilder chain() { return ChainBuilder(*this); }
  FakeRam& ram() { return ram_; }

  // Puts `head` in the available ring and publishes avail->idx.
  void make_available(uint16_t head);
  void set_avail_idx(uint16_t idx);
  void set_avail_entry(uint16_t slot, uint16_t head);
  uint16_t used_idx() const { return ram_.get<uint16_t>(layout_.used + 2); }
  VirtqUsedElem used(uint16_t i) const;
  uint16_t avail_event() const;  // written by the device (EVENT_IDX)
  void set_used_event(uint16_t v);
  uint16_t used_flags() const { return ram_.get<uint16_t>(layout_.used); }

  // Descriptor slots: the next free index of the table (wraps).
  uint16_t take_desc();
  void write_desc(uint16_t i, const VirtqDesc& d);

 private:
  FakeRam& ram_;
  Virtqueue::Layout layout_;
  uint16_t next_desc_ = 0;
  uint16_t avail_idx_ = 0;
};

}  // namespace vmm::virtio::test
