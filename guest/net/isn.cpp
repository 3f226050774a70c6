#include "net/isn.h"

#include "net/wire.h"

namespace gnet {
namespace {

uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

uint64_t load_le64(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, 8);  // little-endian CPU (platform.h)
  return v;
}

struct SipState {
  uint64_t v0, v1, v2, v3;

  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void compress(uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

}  // namespace

uint64_t siphash24(const uint8_t key[16], const void* data, size_t length) {
  uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
  SipState s{k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull, k0 ^ 0x6c7967656e657261ull,
             k1 ^ 0x7465646279746573ull};
  const uint8_t* p = static_cast<const uint8_t*>(data);
  size_t words = length / 8;
  for (size_t i = 0; i < words; ++i) s.compress(load_le64(p + 8 * i));
  // The last block: the remaining bytes, and the length's low byte in the top byte.
  uint64_t last = uint64_t{length & 0xff} << 56;
  for (size_t i = 0; i < length % 8; ++i) last |= uint64_t{p[8 * words + i]} << (8 * i);
  s.compress(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint32_t tcp_isn(const uint8_t key[16], Ipv4Addr local_ip, uint16_t local_port, Ipv4Addr remote_ip,
                 uint16_t remote_port, uint64_t now_ns) {
  uint8_t id[12];
  store_be32(id, local_ip);
  store_be16(id + 4, local_port);
  store_be32(id + 6, remote_ip);
  store_be16(id + 10, remote_port);
  return static_cast<uint32_t>(siphash24(key, id, sizeof id)) + static_cast<uint32_t>(now_ns / 4000);
}

}  // namespace gnet
