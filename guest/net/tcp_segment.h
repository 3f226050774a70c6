// TCP segment header parsing and writing (RFC 9293 section 3.1). Parsing checks every
// length before use and verifies the checksum over the pseudo-header.
#pragma once

#include "net/ipv4.h"

namespace gnet {

constexpr size_t kTcpHeaderLength = 20;
constexpr size_t kTcpMaxHeaderLength = 60;
constexpr uint16_t kTcpDefaultMss = 536;  // RFC 9293 section 3.7.1, IPv4

enum TcpFlag : uint8_t {
  kTcpFin = 0x01,
  kTcpSyn = 0x02,
  kTcpRst = 0x04,
  kTcpPsh = 0x08,
  kTcpAck = 0x10,
  kTcpUrg = 0x20,
};

// The header fields we read and write. `mss` is the MSS option: read from SYNs (0 when
// absent), appended to the segments we send when non-zero.
struct TcpHeader {
  uint16_t src_port;
  uint16_t dst_port;
  uint32_t seq;
  uint32_t ack;
  uint8_t flags;
  uint16_t window;
  uint16_t mss;
};

// A received segment: its header and where its payload lies in the packet.
struct TcpSegment : TcpHeader {
  const uint8_t* payload;
  size_t payload_length;

  bool has(uint8_t flag) const { return (flags & flag) != 0; }
  // Sequence space the segment occupies: data plus one each for SYN and FIN.
  uint32_t seq_length() const {
    return static_cast<uint32_t>(payload_length) + (has(kTcpSyn) ? 1u : 0u) + (has(kTcpFin) ? 1u : 0u);
  }
};

enum class TcpParseError : uint8_t { kNone, kTruncated, kBadDataOffset, kBadChecksum };

// Parses the TCP segment carried by `packet`.
TcpParseError parse_tcp_segment(const Ipv4Packet& packet, TcpSegment* out);

// Writes the header (20 bytes, 24 with the MSS option) with a zero checksum field and
// returns its length. The checksum is set by finish_tcp_checksum.
size_t write_tcp_header(uint8_t* out, const TcpHeader& header);

// Computes and stores the checksum of a header of `header_length` bytes followed by the
// `count` payload pieces, for the given addresses.
void finish_tcp_checksum(uint8_t* header, size_t header_length, const Slice* payload, size_t count,
                         Ipv4Addr src, Ipv4Addr dst);

}  // namespace gnet
