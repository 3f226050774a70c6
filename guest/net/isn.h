// Keyed hashing for values an off-path attacker must not predict: initial sequence numbers
// (RFC 6528) and hash-table placement. SipHash-2-4 (Aumasson and Bernstein, 2012).
#pragma once

#include "net/addr.h"

namespace gnet {

// SipHash-2-4 of `length` bytes with a 16-byte key.
uint64_t siphash24(const uint8_t key[16], const void* data, size_t length);

// RFC 6528 section 3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
// M a 4-microsecond timer and F SipHash of the connection's identity.
uint32_t tcp_isn(const uint8_t key[16], Ipv4Addr local_ip, uint16_t local_port, Ipv4Addr remote_ip,
                 uint16_t remote_port, uint64_t now_ns);

}  // namespace gnet
