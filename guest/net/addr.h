// Link and network addresses, and the interface configuration taken from the command
// line with the syntax Unikraft images use: netdev.ip=<addr>/<prefix>:<gateway>[:...].
#pragma once

#include "net/platform.h"

namespace gnet {

struct MacAddr {
  uint8_t b[6];

  bool operator==(const MacAddr& o) const { return memcmp(b, o.b, 6) == 0; }
  bool operator!=(const MacAddr& o) const { return !(*this == o); }
  bool is_broadcast() const { return (b[0] & b[1] & b[2] & b[3] & b[4] & b[5]) == 0xff; }
  bool is_multicast() const { return (b[0] & 1) != 0; }  // includes broadcast
  static MacAddr broadcast() { return MacAddr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
};

// IPv4 addresses are host-order uint32_t throughout the stack.
using Ipv4Addr = uint32_t;

constexpr Ipv4Addr ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}
constexpr Ipv4Addr kIpv4Broadcast = 0xffffffffu;

struct Ipv4Config {
  Ipv4Addr address;
  uint8_t prefix_length;  // 1..32
  Ipv4Addr gateway;       // 0: none (only on-link destinations are reachable)

  Ipv4Addr netmask() const {
    return prefix_length == 0 ? 0 : 0xffffffffu << (32 - prefix_length);
  }
  bool on_link(Ipv4Addr a) const { return ((a ^ address) & netmask()) == 0; }
  Ipv4Addr subnet_broadcast() const { return address | ~netmask(); }
};

// The configuration used when netdev.ip is absent: 10.0.0.2/24, gateway 10.0.0.1.
constexpr Ipv4Config kDefaultIpv4Config{ipv4(10, 0, 0, 2), 24, ipv4(10, 0, 0, 1)};

// Parses a dotted quad ("198.18.0.2"): exactly four decimal parts 0..255, no leading
// '+', no empty parts. `length` bytes of `text` (no NUL needed).
bool parse_ipv4(const char* text, size_t length, Ipv4Addr* out);

// Parses "<addr>/<prefix>:<gateway>" (NUL-terminated). The prefix (1..32) defaults to 24
// and the gateway to none when omitted ("<addr>", "<addr>/<prefix>"); further
// ":"-separated Unikraft fields (DNS servers, hostname, domain) are accepted and ignored.
// A gateway must be on-link. Returns false, leaving *out alone, on any syntax error.
bool parse_netdev_ip(const char* text, Ipv4Config* out);

// Writes "a.b.c.d" and a NUL into out (at least 16 bytes); returns the length.
size_t format_ipv4(Ipv4Addr a, char* out);

}  // namespace gnet
