// The bytes a connection has queued for sending, from SND.UNA on: a FIFO of chunks, each
// either a reference to immutable caller memory (static content is sent without a copy;
// retransmissions read it again) or bytes copied into a small embedded ring (generated
// headers). Fixed size, no allocation; nothing is zeroed before use.
#pragma once

#include "drivers/net_device.h"
#include "net/platform.h"

namespace gnet {

class SendQueue {
 public:
  static constexpr size_t kRingBytes = 1024;
  static constexpr size_t kMaxChunks = 16;
  // Keeps every queued byte well inside half the sequence space.
  static constexpr uint64_t kMaxBytes = uint64_t{64} << 20;

  // Empties the queue (touches only the bookkeeping, not the ring).
  void reset();

  size_t size() const { return total_; }
  // Bytes push_copy would accept now.
  size_t copy_space() const;
  size_t chunks_free() const { return kMaxChunks - chunk_count_; }

  // Copies up to `length` bytes; returns how many were queued.
  size_t push_copy(const void* data, size_t length);
  // Queues a reference to `length` bytes that must stay valid and unchanged until they
  // are dropped (acknowledged). false: no chunk slot left or kMaxBytes would be exceeded.
  bool push_ref(const void* data, size_t length);

  // Drops the first `length` bytes (at most size()).
  void drop_front(size_t length);

  // Describes bytes [offset, offset + length) as at most `max_slices` slices; returns the
  // number of bytes covered (less than asked when the slices ran out) and sets *slices.
  size_t gather(size_t offset, size_t length, Slice* out, size_t max_slices, size_t* slices) const;

 private:
  struct Chunk {
    const uint8_t* ext;  // nullptr: the bytes are in the ring
    uint32_t length;
  };
  const Chunk& chunk(size_t i) const { return chunks_[(first_chunk_ + i) % kMaxChunks]; }
  Chunk& chunk(size_t i) { return chunks_[(first_chunk_ + i) % kMaxChunks]; }

  uint32_t total_;
  uint32_t head_skip_;  // bytes of the first chunk already dropped
  uint32_t ring_head_;  // ring position of the first queued ring byte
  uint32_t ring_used_;
  uint8_t first_chunk_;
  uint8_t chunk_count_;
  Chunk chunks_[kMaxChunks];
  uint8_t ring_[kRingBytes];
};

}  // namespace gnet
