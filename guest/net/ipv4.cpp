#include "net/ipv4.h"

#include "net/wire.h"

namespace gnet {

Ipv4Error parse_ipv4_packet(const uint8_t* data, size_t length, Ipv4Packet* out) {
  if (length < kIpv4HeaderLength) return Ipv4Error::kTruncated;
  // RFC 791 section 3.1: version 4; IHL counts 32-bit words and is at least 5.
  if ((data[0] >> 4) != 4) return Ipv4Error::kBadVersion;
  size_t header_length = size_t{data[0] & 0x0fu} * 4;
  if (header_length < kIpv4HeaderLength || header_length > length) return Ipv4Error::kBadHeaderLength;
  // RFC 1122 section 3.2.1.1 / RFC 791: the total length covers header and data; a
  // link may pad the frame, so only a total length beyond the received bytes is a lie.
  size_t total_length = load_be16(data + 2);
  if (total_length < header_length || total_length > length) return Ipv4Error::kBadTotalLength;
  // RFC 1122 section 3.2.1.2: silently discard on a bad header checksum.
  if (internet_checksum(data, header_length) != 0) return Ipv4Error::kBadChecksum;
  // RFC 791 section 3.2: MF flag or a non-zero fragment offset make a fragment; we do not
  // reassemble, so every fragment is dropped.
  uint16_t flags_offset = load_be16(data + 6);
  if ((flags_offset & 0x2000) != 0 || (flags_offset & 0x1fff) != 0) return Ipv4Error::kFragment;

  out->src = load_be32(data + 12);
  out->dst = load_be32(data + 16);
  out->protocol = data[9];
  out->payload = data + header_length;
  out->payload_length = total_length - header_length;
  return Ipv4Error::kNone;
}

void write_ipv4_header(uint8_t* out, Ipv4Addr src, Ipv4Addr dst, uint8_t protocol,
                       uint16_t payload_length, uint16_t id) {
  out[0] = 0x45;  // version 4, IHL 5
  out[1] = 0;     // DSCP/ECN
  store_be16(out + 2, static_cast<uint16_t>(kIpv4HeaderLength + payload_length));
  store_be16(out + 4, id);
  store_be16(out + 6, 0);  // no flags, offset 0
  out[8] = 64;             // TTL (RFC 1700 default)
  out[9] = protocol;
  store_be16(out + 10, 0);
  store_be32(out + 12, src);
  store_be32(out + 16, dst);
  store_be16(out + 10, internet_checksum(out, kIpv4HeaderLength));
}

// ---- ICMP echo (RFC 792) ----

namespace {
constexpr size_t kIcmpHeaderLength = 8;
constexpr uint8_t kEchoReply = 0;
constexpr uint8_t kEchoRequest = 8;
}  // namespace

bool icmp_input(const Ipv4Packet& packet, Ipv4Output& out, bool* malformed) {
  const uint8_t* p = packet.payload;
  size_t length = packet.payload_length;
  // RFC 792: the checksum covers the whole ICMP message.
  *malformed = length < kIcmpHeaderLength || internet_checksum(p, length) != 0;
  if (*malformed || p[0] != kEchoRequest || p[1] != 0) return false;
  // The reply echoes identifier, sequence number and data; only type and checksum change.
  uint8_t header[kIcmpHeaderLength];
  memcpy(header, p, kIcmpHeaderLength);
  header[0] = kEchoReply;
  store_be16(header + 2, 0);
  Checksum sum;
  sum.add(header, kIcmpHeaderLength);
  sum.add(p + kIcmpHeaderLength, length - kIcmpHeaderLength);
  store_be16(header + 2, sum.finish());
  Slice pieces[2] = {{header, kIcmpHeaderLength}, {p + kIcmpHeaderLength, length - kIcmpHeaderLength}};
  return out.send_ipv4(packet.src, kIpProtoIcmp, pieces, 2) == SendResult::kSent;
}

}  // namespace gnet
