#include "net/tcp_segment.h"

#include "net/wire.h"

namespace gnet {
namespace {

constexpr uint8_t kOptionEnd = 0;
constexpr uint8_t kOptionNop = 1;
constexpr uint8_t kOptionMss = 2;

// Walks the options (RFC 9293 section 3.2): kinds 0 and 1 are single bytes, every other
// kind carries a length covering kind and length bytes. An illegal length (< 2 or past
// the header) ends the walk; the options read so far stand (RFC 9293 3.1, MUST-7).
uint16_t find_mss_option(const uint8_t* p, size_t length) {
  uint16_t mss = 0;
  size_t i = 0;
  while (i < length) {
    uint8_t kind = p[i];
    if (kind == kOptionEnd) break;
    if (kind == kOptionNop) {
      ++i;
      continue;
    }
    if (i + 1 >= length) break;
    size_t option_length = p[i + 1];
    if (option_length < 2 || option_length > length - i) break;
    if (kind == kOptionMss && option_length == 4) mss = load_be16(p + i + 2);
    i += option_length;
  }
  return mss;
}

}  // namespace

TcpParseError parse_tcp_segment(const Ipv4Packet& packet, TcpSegment* out) {
  const uint8_t* p = packet.payload;
  size_t length = packet.payload_length;
  if (length < kTcpHeaderLength) return TcpParseError::kTruncated;
  // RFC 9293 section 3.1: the data offset counts 32-bit words, at least 5, and must not
  // point past the end of the segment.
  size_t data_offset = static_cast<size_t>(p[12] >> 4) * 4;
  if (data_offset < kTcpHeaderLength || data_offset > length) return TcpParseError::kBadDataOffset;

  Checksum sum;
  add_pseudo_header(sum, packet.src, packet.dst, kIpProtoTcp, static_cast<uint16_t>(length));
  sum.add(p, length);
  if (sum.finish() != 0) return TcpParseError::kBadChecksum;

  out->src_port = load_be16(p);
  out->dst_port = load_be16(p + 2);
  out->seq = load_be32(p + 4);
  out->ack = load_be32(p + 8);
  out->flags = p[13] & 0x3f;
  out->window = load_be16(p + 14);
  out->mss = (out->flags & kTcpSyn) ? find_mss_option(p + kTcpHeaderLength, data_offset - kTcpHeaderLength) : 0;
  out->payload = p + data_offset;
  out->payload_length = length - data_offset;
  return TcpParseError::kNone;
}

size_t write_tcp_header(uint8_t* out, const TcpHeader& h) {
  size_t length = h.mss ? kTcpHeaderLength + 4 : kTcpHeaderLength;
  store_be16(out, h.src_port);
  store_be16(out + 2, h.dst_port);
  store_be32(out + 4, h.seq);
  store_be32(out + 8, h.ack);
  out[12] = static_cast<uint8_t>((length / 4) << 4);
  out[13] = h.flags;
  store_be16(out + 14, h.window);
  store_be16(out + 16, 0);  // checksum
  store_be16(out + 18, 0);  // urgent pointer
  if (h.mss) {
    out[20] = kOptionMss;
    out[21] = 4;
    store_be16(out + 22, h.mss);
  }
  return length;
}

void finish_tcp_checksum(uint8_t* header, size_t header_length, const Slice* payload, size_t count,
                         Ipv4Addr src, Ipv4Addr dst) {
  size_t total = header_length;
  for (size_t i = 0; i < count; ++i) total += payload[i].length;
  Checksum sum;
  add_pseudo_header(sum, src, dst, kIpProtoTcp, static_cast<uint16_t>(total));
  sum.add(header, header_length);
  for (size_t i = 0; i < count; ++i) sum.add(payload[i].data, payload[i].length);
  store_be16(header + 16, sum.finish());
}

}  // namespace gnet
