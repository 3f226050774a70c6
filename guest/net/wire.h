// Arithmetic on wire formats: network byte order, the Internet checksum (RFC 1071) and
// TCP sequence numbers (RFC 9293 section 3.4). Callers check bounds before every load:
// packets are hostile input.
#pragma once

#include "net/platform.h"

namespace gnet {

// ---- network byte order (big endian) on byte pointers ----

inline uint16_t load_be16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline void store_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// ---- sequence numbers modulo 2^32: a < b when b lies less than 2^31 ahead of a ----

inline bool seq_lt(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
inline bool seq_le(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) <= 0; }
inline bool seq_gt(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) > 0; }
inline bool seq_ge(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) >= 0; }

// lo <= x < hi, modulo 2^32 (an empty range when lo == hi).
inline bool seq_in(uint32_t x, uint32_t lo, uint32_t hi) { return x - lo < hi - lo; }

inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }

// ---- the Internet checksum, incremental over pieces of any lengths ----

class Checksum {
 public:
  // Adds `length` bytes at `data` to the sum.
  void add(const void* data, size_t length);
  // The ones' complement of the ones' complement sum, in host order: store it with
  // store_be16. A packet whose checksum field is included verifies when this is 0.
  uint16_t finish() const;

 private:
  uint64_t sum_ = 0;  // native (little-endian) order 16-bit words
  bool odd_ = false;  // an odd number of bytes has been added so far
};

// Checksum of one contiguous buffer.
uint16_t internet_checksum(const void* data, size_t length);

// Adds the IPv4 pseudo-header of TCP/UDP (RFC 9293 section 3.1) to `sum`.
void add_pseudo_header(Checksum& sum, uint32_t src, uint32_t dst, uint8_t protocol, uint16_t length);

}  // namespace gnet
