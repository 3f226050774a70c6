// The IPv4 layer: header parsing and writing (RFC 791; host requirements RFC 1122 section
// 3.2.1), the interface transports send through, and ICMP echo (RFC 792). Parsing is
// purely structural; whether a packet is addressed to us is the stack's call.
#pragma once

#include "drivers/net_device.h"
#include "net/addr.h"

namespace gnet {

constexpr size_t kIpv4HeaderLength = 20;  // we never send options
constexpr uint8_t kIpProtoIcmp = 1;
constexpr uint8_t kIpProtoTcp = 6;

enum class Ipv4Error : uint8_t {
  kNone,
  kTruncated,       // fewer bytes than a minimal header
  kBadVersion,      // version field is not 4
  kBadHeaderLength, // IHL < 5 or the header runs past the received bytes
  kBadTotalLength,  // total length < header length or > received bytes
  kBadChecksum,
  kFragment,        // MF set or fragment offset != 0: we do not reassemble
  kCount,
};

// A validated packet: payload points into the caller's buffer, trimmed to the total length
// (Ethernet padding removed).
struct Ipv4Packet {
  Ipv4Addr src;
  Ipv4Addr dst;
  uint8_t protocol;
  const uint8_t* payload;
  size_t payload_length;
};

// Checks the header of the `length` bytes at `data` (the Ethernet payload).
Ipv4Error parse_ipv4_packet(const uint8_t* data, size_t length, Ipv4Packet* out);

// Writes a 20-byte header (no options, DF clear, TTL 64) with its checksum.
void write_ipv4_header(uint8_t* out, Ipv4Addr src, Ipv4Addr dst, uint8_t protocol,
                       uint16_t payload_length, uint16_t id);

// What became of a packet handed to Ipv4Output.
enum class SendResult : uint8_t {
  kSent,     // queued on the device
  kDropped,  // lost for good (no route, next hop unresolved): like a loss on the wire
  kBusy,     // the device has no room now: keep the data and try again later
};

// Where transport protocols hand packets down: prepends IPv4 and Ethernet headers (resolving
// the next hop) and queues the frame on the device. `pieces` (the transport header and
// payload, at most kMaxPieces of them) are copied before the call returns.
class Ipv4Output {
 public:
  static constexpr size_t kMaxPieces = 8;
  virtual SendResult send_ipv4(Ipv4Addr dst, uint8_t protocol, const Slice* pieces, size_t count) = 0;

 protected:
  ~Ipv4Output() = default;
};

// ICMP: answers an echo request in `packet` (addressed to us, unicast) through `out`
// (RFC 1122 section 3.2.2.6 MUST); other messages are ignored and no errors are sent.
// Returns true when a reply was queued, false when the message was ignored; *malformed
// tells whether it was dropped as malformed (truncated, bad checksum).
bool icmp_input(const Ipv4Packet& packet, Ipv4Output& out, bool* malformed);

}  // namespace gnet
