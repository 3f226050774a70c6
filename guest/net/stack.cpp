#include "net/stack.h"

#include "net/ethernet.h"

namespace gnet {
namespace {

MacAddr device_mac(const NetDevice& device) {
  MacAddr m;
  device.mac(m.b);
  return m;
}

uint16_t device_mtu(const NetDevice& device) {
  size_t mtu = device.mtu();
  if (mtu < 576) return 576;  // RFC 791: every host must accept 576-byte datagrams
  return static_cast<uint16_t>(mtu > 9000 ? 9000 : mtu);
}

}  // namespace

Stack::Stack(NetDevice& device, const StackConfig& config)
    : device_(device),
      mac_(device_mac(device)),
      ip_(config.ip),
      mtu_(device_mtu(device)),
      arp_(device, mac_, config.ip.address, stats_),
      tcp_(*this, stats_, config.tcp, config.ip.address, mtu_) {}

void Stack::set_now(uint64_t now_ns) {
  now_ = now_ns;
  tcp_.set_now(now_ns);
}

void Stack::on_frame(const uint8_t* frame, size_t length) {
  ++stats_.rx_frames;
  EthHeader eth;
  if (!parse_eth(frame, length, &eth)) {
    ++stats_.rx_not_for_us;
    return;
  }
  bool broadcast = eth.dst.is_broadcast();
  if (eth.dst != mac_ && !broadcast) {
    ++stats_.rx_not_for_us;
    return;
  }
  const uint8_t* payload = frame + kEthHeaderLength;
  size_t payload_length = length - kEthHeaderLength;
  switch (eth.type) {
    case kEtherTypeArp: arp_.input(payload, payload_length, now_); break;
    case kEtherTypeIpv4: input_ipv4(payload, payload_length, eth.src, broadcast); break;
    default: ++stats_.rx_unknown_ethertype; break;
  }
}

void Stack::input_ipv4(const uint8_t* data, size_t length, const MacAddr& link_src, bool link_broadcast) {
  Ipv4Packet packet;
  Ipv4Error error = parse_ipv4_packet(data, length, &packet);
  if (error != Ipv4Error::kNone) {
    ++stats_.ip_errors[static_cast<int>(error)];
    return;
  }
  bool broadcast = link_broadcast || packet.dst == kIpv4Broadcast || packet.dst == ip_.subnet_broadcast();
  if (packet.dst != ip_.address && !broadcast) {
    ++stats_.ip_not_for_us;
    return;
  }
  // RFC 1122 3.2.1.3: discard a source that is broadcast, multicast (class D/E) or ours.
  if (packet.src == kIpv4Broadcast || (packet.src >> 28) >= 0xe || packet.src == ip_.address ||
      packet.src == ip_.subnet_broadcast()) {
    ++stats_.ip_martian_source;
    return;
  }
  if (ip_.on_link(packet.src)) arp_.glean(packet.src, link_src, now_);
  switch (packet.protocol) {
    case kIpProtoTcp:
      // RFC 9293 3.10.7.2 / RFC 1122 4.2.3.10: TCP never uses broadcast addresses.
      if (broadcast) {
        ++stats_.tcp_to_broadcast;
        return;
      }
      tcp_.input(packet);
      break;
    case kIpProtoIcmp:
      // RFC 1122 3.2.2.6: a broadcast echo request MAY be ignored; we do.
      if (!broadcast) {
        bool malformed = false;
        if (icmp_input(packet, *this, &malformed)) ++stats_.icmp_echo_replies;
        if (malformed) ++stats_.icmp_malformed;
      }
      break;
    default:
      ++stats_.ip_unknown_protocol;
      break;
  }
}

SendResult Stack::send_ipv4(Ipv4Addr dst, uint8_t protocol, const Slice* pieces, size_t count) {
  size_t payload_length = 0;
  for (size_t i = 0; i < count; ++i) payload_length += pieces[i].length;
  if (count + 1 > kMaxPieces || payload_length + kIpv4HeaderLength > mtu_) return SendResult::kDropped;

  Ipv4Addr next_hop = ip_.on_link(dst) ? dst : ip_.gateway;
  if (next_hop == 0) {
    ++stats_.tx_no_route;
    return SendResult::kDropped;
  }
  MacAddr next_mac;
  if (!arp_.resolve(next_hop, now_, &next_mac)) {
    ++stats_.tx_arp_miss;
    return SendResult::kDropped;
  }
  uint8_t header[kEthHeaderLength + kIpv4HeaderLength];
  write_eth(header, next_mac, mac_, kEtherTypeIpv4);
  write_ipv4_header(header + kEthHeaderLength, ip_.address, dst, protocol, static_cast<uint16_t>(payload_length),
                    ip_id_++);
  Slice frame[kMaxPieces];
  frame[0] = Slice{header, sizeof header};
  for (size_t i = 0; i < count; ++i) frame[i + 1] = pieces[i];
  if (!device_.send(frame, count + 1)) {
    ++stats_.tx_device_full;
    return SendResult::kBusy;
  }
  ++stats_.tx_frames;
  return SendResult::kSent;
}

}  // namespace gnet
