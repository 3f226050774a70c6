#include "packets.h"

#include <stdexcept>

#include "net/wire.h"

namespace nettest {

using gnet::load_be16;
using gnet::load_be32;
using gnet::store_be16;
using gnet::store_be32;

Frame ethernet(const gnet::MacAddr& dst, const gnet::MacAddr& src, uint16_t type, const Frame& payload) {
  Frame f(gnet::kEthHeaderLength);
  gnet::write_eth(f.data(), dst, src, type);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

Frame ipv4(gnet::Ipv4Addr src, gnet::Ipv4Addr dst, uint8_t protocol, const Frame& payload, uint16_t flags_fragment) {
  Frame p(gnet::kIpv4HeaderLength);
  gnet::write_ipv4_header(p.data(), src, dst, protocol, static_cast<uint16_t>(payload.size()), 7);
  store_be16(p.data() + 6, flags_fragment);
  store_be16(p.data() + 10, 0);
  store_be16(p.data() + 10, gnet::internet_checksum(p.data(), p.size()));
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

Frame tcp(gnet::Ipv4Addr src, gnet::Ipv4Addr dst, const TcpFields& f, const std::string& payload) {
  std::vector<uint8_t> options = f.options;
  if (f.mss) options = {2, 4, static_cast<uint8_t>(f.mss >> 8), static_cast<uint8_t>(f.mss)};
  while (options.size() % 4) options.push_back(0);
  Frame s(gnet::kTcpHeaderLength + options.size());
  store_be16(s.data(), f.src_port);
  store_be16(s.data() + 2, f.dst_port);
  store_be32(s.data() + 4, f.seq);
  store_be32(s.data() + 8, f.ack);
  s[12] = static_cast<uint8_t>((s.size() / 4) << 4);
  s[13] = f.flags;
  store_be16(s.data() + 14, f.window);
  std::copy(options.begin(), options.end(), s.begin() + gnet::kTcpHeaderLength);
  s.insert(s.end(), payload.begin(), payload.end());
  gnet::Checksum sum;
  gnet::add_pseudo_header(sum, src, dst, gnet::kIpProtoTcp, static_cast<uint16_t>(s.size()));
  sum.add(s.data(), s.size());
  store_be16(s.data() + 16, sum.finish());
  return s;
}

Frame arp(uint16_t op, const gnet::MacAddr& sender_mac, gnet::Ipv4Addr sender_ip, const gnet::MacAddr& target_mac,
          gnet::Ipv4Addr target_ip) {
  Frame p(28);
  store_be16(p.data(), 1);
  store_be16(p.data() + 2, gnet::kEtherTypeIpv4);
  p[4] = 6;
  p[5] = 4;
  store_be16(p.data() + 6, op);
  std::copy(sender_mac.b, sender_mac.b + 6, p.begin() + 8);
  store_be32(p.data() + 14, sender_ip);
  std::copy(target_mac.b, target_mac.b + 6, p.begin() + 18);
  store_be32(p.data() + 24, target_ip);
  return p;
}

Frame icmp_echo(uint16_t id, uint16_t seq, const std::string& data, uint8_t type) {
  Frame p(8);
  p[0] = type;
  store_be16(p.data() + 4, id);
  store_be16(p.data() + 6, seq);
  p.insert(p.end(), data.begin(), data.end());
  store_be16(p.data() + 2, gnet::internet_checksum(p.data(), p.size()));
  return p;
}

void fix_ipv4_checksum(Frame& frame) {
  uint8_t* ip = frame.data() + gnet::kEthHeaderLength;
  size_t header_length = size_t{ip[0] & 0x0fu} * 4;
  store_be16(ip + 10, 0);
  store_be16(ip + 10, gnet::internet_checksum(ip, header_length));
}

Sent decode(const Frame& frame) {
  Sent s;
  s.bytes = frame;
  const uint8_t* p = s.bytes.data();
  if (!gnet::parse_eth(p, s.bytes.size(), &s.eth)) throw std::runtime_error("short frame sent");
  const uint8_t* payload = p + gnet::kEthHeaderLength;
  size_t length = s.bytes.size() - gnet::kEthHeaderLength;
  if (s.eth.type == gnet::kEtherTypeArp) {
    s.is_arp = true;
    s.arp_op = load_be16(payload + 6);
    s.arp_target = load_be32(payload + 24);
    return s;
  }
  if (gnet::parse_ipv4_packet(payload, length, &s.ip) != gnet::Ipv4Error::kNone)
    throw std::runtime_error("stack sent a bad IPv4 packet");
  s.is_ipv4 = true;
  if (s.ip.protocol == gnet::kIpProtoTcp) {
    if (gnet::parse_tcp_segment(s.ip, &s.tcp) != gnet::TcpParseError::kNone)
      throw std::runtime_error("stack sent a bad TCP segment");
    s.is_tcp = true;
    s.payload.assign(reinterpret_cast<const char*>(s.tcp.payload), s.tcp.payload_length);
  }
  return s;
}

}  // namespace nettest
