#include "net/send_queue.h"

namespace gnet {

void SendQueue::reset() {
  total_ = 0;
  head_skip_ = 0;
  ring_head_ = 0;
  ring_used_ = 0;
  first_chunk_ = 0;
  chunk_count_ = 0;
}

size_t SendQueue::copy_space() const {
  bool tail_in_ring = chunk_count_ > 0 && chunk(chunk_count_ - 1u).ext == nullptr;
  if (!tail_in_ring && chunk_count_ == kMaxChunks) return 0;
  return kRingBytes - ring_used_;
}

size_t SendQueue::push_copy(const void* data, size_t length) {
  size_t n = copy_space();
  if (n > length) n = length;
  if (n == 0 || total_ + n > kMaxBytes) return 0;
  // Copy into the ring at its tail, in at most two parts around the wrap.
  size_t tail = (ring_head_ + ring_used_) % kRingBytes;
  size_t first = kRingBytes - tail < n ? kRingBytes - tail : n;
  memcpy(ring_ + tail, data, first);
  memcpy(ring_, static_cast<const uint8_t*>(data) + first, n - first);
  ring_used_ += static_cast<uint32_t>(n);
  total_ += static_cast<uint32_t>(n);
  // Ring bytes are consumed in FIFO order, so consecutive ring chunks can merge.
  if (chunk_count_ > 0 && chunk(chunk_count_ - 1u).ext == nullptr) {
    chunk(chunk_count_ - 1u).length += static_cast<uint32_t>(n);
  } else {
    chunk(chunk_count_) = Chunk{nullptr, static_cast<uint32_t>(n)};
    ++chunk_count_;
  }
  return n;
}

bool SendQueue::push_ref(const void* data, size_t length) {
  if (length == 0) return true;
  if (chunk_count_ == kMaxChunks || total_ + uint64_t{length} > kMaxBytes) return false;
  chunk(chunk_count_) = Chunk{static_cast<const uint8_t*>(data), static_cast<uint32_t>(length)};
  ++chunk_count_;
  total_ += static_cast<uint32_t>(length);
  return true;
}

void SendQueue::drop_front(size_t length) {
  if (length > total_) length = total_;
  total_ -= static_cast<uint32_t>(length);
  while (length > 0) {
    Chunk& c = chunk(0);
    size_t left = c.length - head_skip_;
    size_t take = left < length ? left : length;
    if (c.ext == nullptr) {
      ring_head_ = static_cast<uint32_t>((ring_head_ + take) % kRingBytes);
      ring_used_ -= static_cast<uint32_t>(take);
    }
    length -= take;
    head_skip_ += static_cast<uint32_t>(take);
    if (head_skip_ == c.length) {
      head_skip_ = 0;
      first_chunk_ = static_cast<uint8_t>((first_chunk_ + 1) % kMaxChunks);
      --chunk_count_;
    }
  }
}

size_t SendQueue::gather(size_t offset, size_t length, Slice* out, size_t max_slices, size_t* slices) const {
  size_t n = 0;
  size_t covered = 0;
  size_t ring_pos = ring_head_;  // ring position of the current ring chunk's first byte
  for (size_t i = 0; i < chunk_count_ && covered < length && n < max_slices; ++i) {
    const Chunk& c = chunk(i);
    size_t start = i == 0 ? head_skip_ : 0;
    size_t left = c.length - start;
    if (offset >= left) {
      offset -= left;
      if (c.ext == nullptr) ring_pos = (ring_pos + left) % kRingBytes;
      continue;
    }
    size_t take = left - offset;
    if (take > length - covered) take = length - covered;
    if (c.ext != nullptr) {
      out[n++] = Slice{c.ext + start + offset, take};
      covered += take;
    } else {
      size_t pos = (ring_pos + offset) % kRingBytes;
      size_t first = kRingBytes - pos < take ? kRingBytes - pos : take;
      out[n++] = Slice{ring_ + pos, first};
      covered += first;
      if (first < take && n < max_slices) {
        out[n++] = Slice{ring_, take - first};
        covered += take - first;
      }
      ring_pos = (ring_pos + left) % kRingBytes;
    }
    offset = 0;
  }
  *slices = n;
  return covered;
}

}  // namespace gnet
