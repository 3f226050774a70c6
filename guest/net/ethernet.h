// Ethernet II framing (IEEE 802.3 with EtherType): parse and write the 14-byte header.
// Frames carry no FCS (the device strips and adds it) and no VLAN tags (dropped).
#pragma once

#include "net/addr.h"
#include "net/wire.h"

namespace gnet {

constexpr size_t kEthHeaderLength = 14;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeArp = 0x0806;

struct EthHeader {
  MacAddr dst;
  MacAddr src;
  uint16_t type;
};

// Reads the header of a frame of `length` bytes; false when it is shorter than a header.
inline bool parse_eth(const uint8_t* frame, size_t length, EthHeader* out) {
  if (length < kEthHeaderLength) return false;
  memcpy(out->dst.b, frame, 6);
  memcpy(out->src.b, frame + 6, 6);
  out->type = load_be16(frame + 12);
  return true;
}

inline void write_eth(uint8_t* out, const MacAddr& dst, const MacAddr& src, uint16_t type) {
  memcpy(out, dst.b, 6);
  memcpy(out + 6, src.b, 6);
  store_be16(out + 12, type);
}

}  // namespace gnet
