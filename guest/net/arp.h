// ARP for IPv4 over Ethernet (RFC 826): answers requests for our address, resolves next
// hops through a small cache, and announces us once at start (RFC 5227 section 2.3).
// No timers: entries age lazily on lookup and requests are rate-limited per entry, so an
// idle stack never wakes up for ARP.
#pragma once

#include "drivers/net_device.h"
#include "net/addr.h"
#include "net/stats.h"

namespace gnet {

class Arp {
 public:
  static constexpr size_t kEntries = 16;
  static constexpr uint64_t kEntryLifetimeNs = 300'000'000'000;  // then refreshed
  static constexpr uint64_t kRequestIntervalNs = 1'000'000'000;  // per entry

  Arp(NetDevice& device, const MacAddr& mac, Ipv4Addr address, Stats& stats)
      : device_(device), mac_(mac), address_(address), stats_(stats) {}

  // Handles an ARP packet (the Ethernet payload, `length` bytes) received at `now_ns`.
  void input(const uint8_t* packet, size_t length, uint64_t now_ns);

  // Looks up the MAC of on-link `next_hop`. On a miss (or a stale entry) sends a request,
  // at most one per entry per kRequestIntervalNs. Returns true with *out set when a MAC is
  // known (a stale one is still used while the refresh is under way).
  bool resolve(Ipv4Addr next_hop, uint64_t now_ns, MacAddr* out);

  // Learns `ip` -> `mac` from the Ethernet source of an IPv4 packet from on-link `ip`,
  // unless a fresh entry exists. A host that still knows our MAC from an earlier instance
  // sends its SYN without asking first; without this our SYN-ACK would wait for ARP.
  void glean(Ipv4Addr ip, const MacAddr& mac, uint64_t now_ns);

  // Broadcasts a gratuitous ARP announcement of our address.
  void announce();

 private:
  enum State : uint8_t { kFree = 0, kIncomplete, kResolved };
  struct Entry {
    Ipv4Addr ip;
    MacAddr mac;
    State state;
    uint64_t updated_ns;    // when the MAC was learnt
    uint64_t next_request_ns;  // earliest time of the next request
  };

  Entry* find(Ipv4Addr ip);
  Entry* find_victim();
  void update(Ipv4Addr ip, const MacAddr& mac, uint64_t now_ns, bool create);
  void send(uint16_t op, const MacAddr& eth_dst, const MacAddr& target_mac, Ipv4Addr target_ip);
  void request(Entry& e, uint64_t now_ns);

  NetDevice& device_;
  MacAddr mac_;
  Ipv4Addr address_;
  Stats& stats_;
  Entry entries_[kEntries] = {};
};

}  // namespace gnet
