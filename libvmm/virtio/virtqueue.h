// Virtqueue: the device side of one split virtqueue (virtio 1.2 section 2.7) in guest RAM.
//
// The rings are guest-controlled: every index, descriptor and buffer read from them is
// copied out once and validated as a copy. Buffer ranges are checked whole against guest
// RAM with overflow-safe arithmetic (GuestMemory); chains are bounded by a TTL, so a cycle
// ends the walk. Ring indices are read with acquire and published with release ordering.
//
// Not thread-safe: the owning device serialises access (its mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "virtio/virtio_spec.h"
#include "vmm/guest_memory.h"
#include "vmm/result.h"

namespace vmm::virtio {

// One guest buffer of a chain: [gpa, gpa + len) is inside guest RAM; host points at it.
struct Segment {
  uint64_t gpa = 0;
  uint32_t len = 0;
  bool writable = false;
  std::byte* host = nullptr;  // guest-controlled contents
};

// Why a chain was refused (the chain is then completed with 0 bytes written).
enum class ChainError : uint8_t {
  None,
  NextOutOfRange,        // 2.7.5: `next` is not an index of the table
  TooLong,               // TTL exhausted: a cycle, or longer than the queue (2.7.5.3.1)
  BufferOutsideRam,      // addr + len overflows or leaves guest RAM
  ChainOver4GiB,         // 2.7.4: more than 2^32 bytes in total
  IndirectNotNegotiated, // 2.7.5.3.1
  IndirectWithNext,      // 2.7.5.3.1: INDIRECT and NEXT both set
  IndirectNested,        // 2.7.5.3.1: INDIRECT inside an indirect table
  IndirectBadSize,       // table length 0, not a multiple of 16, or larger than allowed
  ReadableAfterWritable, // 2.7.4.2: device-writable descriptors must come last
};
std::string_view to_string(ChainError error);

// A chain popped from the available ring: a validated copy of its descriptors.
// Zero-length descriptors are dropped from the copy (they carry no bytes).
struct DescriptorChain {
  uint16_t head = 0;
  ChainError error = ChainError::None;
  std::vector<Segment> segments;  // chain order: readable ones, then writable ones
  uint64_t readable_bytes = 0;
  uint64_t writable_bytes = 0;
};

class Virtqueue {
 public:
  struct Layout {
    uint16_t size = 0;
    uint64_t desc = 0;   // descriptor table
    uint64_t avail = 0;  // driver area
    uint64_t used = 0;   // device area
  };
  struct Options {
    uint16_t max_size = 256;      // the device's QueueNumMax
    bool event_idx = false;       // VIRTIO_F_EVENT_IDX negotiated
    bool indirect = false;        // VIRTIO_F_INDIRECT_DESC negotiated
    uint16_t max_indirect = 256;  // entries an indirect table may have
  };

  Virtqueue() = default;
  // Validates the layout once (2.7: size a power of two no larger than max_size, the three
  // parts aligned and inside guest RAM). Errors name the failing check.
  static Result<Virtqueue> create(const GuestMemory& mem, Layout layout, Options options);

  enum class Pop {
    Chain,     // `out` holds a valid chain
    BadChain,  // out.head is valid, out.error says why the chain was refused
    Empty,     // nothing available
    Broken,    // the driver corrupted the ring (see broken_reason()); stop using it
  };
  // Takes the next available chain. Cheap when empty: one acquire load of avail->idx
  // when the cached index is exhausted.
  Pop pop(DescriptorChain& out);
  // Number of chains the driver has made available and we have not taken (0 if broken).
  uint16_t pending();

  // Records that chain `head` is done with `written` bytes; visible after publish().
  void add_used(uint16_t head, uint32_t written);
  // Publishes the recorded used elements (release store of used->idx). Returns true when
  // the driver wants a used-buffer notification for them (2.7.7.2 / 2.7.10).
  bool publish();

  // Asks the driver to notify (want) or not to notify on new available buffers (2.7.7.1,
  // 2.7.10). When asking, returns true if buffers arrived meanwhile (process them again).
  bool set_notification(bool want);

  // Undo of pops and unpublished used elements since mark() (e.g. a frame that did not fit).
  struct Mark {
    uint16_t next_avail, next_used;
  };
  Mark mark() const { return {next_avail_, next_used_}; }
  void rollback(Mark m) { next_avail_ = m.next_avail, next_used_ = m.next_used; }

  bool broken() const { return broken_ != nullptr; }
  const char* broken_reason() const { return broken_; }
  const Layout& layout() const { return layout_; }
  uint16_t next_avail() const { return next_avail_; }

 private:
  Virtqueue(const GuestMemory& mem, Layout layout, Options options);
  bool walk(uint16_t head, DescriptorChain& out) const;
  ChainError add_segment(const VirtqDesc& d, DescriptorChain& out) const;
  ChainError walk_indirect(const VirtqDesc& table, DescriptorChain& out) const;
  void refresh_avail();

  GuestMemory mem_;
  Layout layout_;
  Options options_;
  uint16_t next_avail_ = 0;   // next ring slot we will take
  uint16_t avail_idx_ = 0;    // last avail->idx read
  uint16_t next_used_ = 0;    // next used slot we will fill
  uint16_t published_ = 0;    // used->idx last published
  const char* broken_ = nullptr;
};

}  // namespace vmm::virtio
