#include "net/wire.h"

namespace gnet {
namespace {

uint16_t fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

uint16_t swap16(uint16_t v) { return static_cast<uint16_t>((v >> 8) | (v << 8)); }

// Ones' complement sum of native-order 16-bit words; a trailing odd byte counts as a word
// padded with zero (RFC 1071 section 4.1).
uint64_t native_sum(const uint8_t* p, size_t n) {
  uint64_t sum = 0;
  while (n >= 8) {
    uint32_t a, b;
    memcpy(&a, p, 4);
    memcpy(&b, p + 4, 4);
    sum += uint64_t{a} + b;  // cannot overflow 64 bits for any realistic length
    p += 8;
    n -= 8;
  }
  while (n >= 2) {
    uint16_t w;
    memcpy(&w, p, 2);
    sum += w;
    p += 2;
    n -= 2;
  }
  if (n) sum += p[0];
  return sum;
}

}  // namespace

void Checksum::add(const void* data, size_t length) {
  uint16_t piece = fold(native_sum(static_cast<const uint8_t*>(data), length));
  // A piece starting at an odd offset has its bytes in the other halves of the words:
  // RFC 1071 section 2(B), byte-swapping the partial sum aligns it.
  sum_ += odd_ ? swap16(piece) : piece;
  odd_ ^= (length & 1) != 0;
}

uint16_t Checksum::finish() const {
  // The native sum of a little-endian CPU is the byte-swapped network-order sum.
  return static_cast<uint16_t>(~swap16(fold(sum_)));
}

uint16_t internet_checksum(const void* data, size_t length) {
  Checksum sum;
  sum.add(data, length);
  return sum.finish();
}

void add_pseudo_header(Checksum& sum, uint32_t src, uint32_t dst, uint8_t protocol, uint16_t length) {
  uint8_t pseudo[12];
  store_be32(pseudo, src);
  store_be32(pseudo + 4, dst);
  pseudo[8] = 0;
  pseudo[9] = protocol;
  store_be16(pseudo + 10, length);
  sum.add(pseudo, sizeof pseudo);
}

}  // namespace gnet
