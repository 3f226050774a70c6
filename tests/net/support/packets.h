// Builders for the frames a test peer sends (correct checksums unless told otherwise) and
// a decoder for the frames the stack sends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fake_device.h"
#include "net/ethernet.h"
#include "net/ipv4.h"
#include "net/tcp_segment.h"

namespace nettest {

struct TcpFields {
  uint16_t src_port = 40000;
  uint16_t dst_port = 80;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 65535;
  uint16_t mss = 0;  // non-zero: MSS option
  std::vector<uint8_t> options;  // raw option bytes (padded to 4), instead of mss
};

Frame ethernet(const gnet::MacAddr& dst, const gnet::MacAddr& src, uint16_t type, const Frame& payload);
// A 20-byte-header IPv4 packet; `flags_fragment` is the raw flags/fragment-offset field.
Frame ipv4(gnet::Ipv4Addr src, gnet::Ipv4Addr dst, uint8_t protocol, const Frame& payload,
           uint16_t flags_fragment = 0);
Frame tcp(gnet::Ipv4Addr src, gnet::Ipv4Addr dst, const TcpFields& f, const std::string& payload = "");
Frame arp(uint16_t op, const gnet::MacAddr& sender_mac, gnet::Ipv4Addr sender_ip, const gnet::MacAddr& target_mac,
          gnet::Ipv4Addr target_ip);
Frame icmp_echo(uint16_t id, uint16_t seq, const std::string& data, uint8_t type = 8);

// Recomputes the IPv4 header checksum of an Ethernet frame carrying IPv4 (after a test
// edited header fields on purpose).
void fix_ipv4_checksum(Frame& frame);

// A frame the stack sent, decoded. Pointers refer to `bytes`.
struct Sent {
  Frame bytes;
  gnet::EthHeader eth{};
  bool is_arp = false;
  bool is_ipv4 = false;
  gnet::Ipv4Packet ip{};
  bool is_tcp = false;
  gnet::TcpSegment tcp{};
  std::string payload;  // TCP payload
  uint16_t arp_op = 0;
  gnet::Ipv4Addr arp_target = 0;
};
Sent decode(const Frame& frame);

}  // namespace nettest
