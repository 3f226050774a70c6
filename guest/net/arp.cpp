#include "net/arp.h"

#include "net/wire.h"
#include "net/ethernet.h"

namespace gnet {
namespace {

constexpr size_t kArpLength = 28;  // Ethernet/IPv4 ARP packet
constexpr uint16_t kOpRequest = 1;
constexpr uint16_t kOpReply = 2;

}  // namespace

Arp::Entry* Arp::find(Ipv4Addr ip) {
  for (Entry& e : entries_) {
    if (e.state != kFree && e.ip == ip) return &e;
  }
  return nullptr;
}

// A free entry, else the least recently learnt one.
Arp::Entry* Arp::find_victim() {
  Entry* victim = &entries_[0];
  for (Entry& e : entries_) {
    if (e.state == kFree) return &e;
    if (e.updated_ns < victim->updated_ns) victim = &e;
  }
  return victim;
}

void Arp::update(Ipv4Addr ip, const MacAddr& mac, uint64_t now_ns, bool create) {
  Entry* e = find(ip);
  if (e == nullptr) {
    if (!create) return;
    e = find_victim();
    e->ip = ip;
    e->next_request_ns = 0;
  }
  e->mac = mac;
  e->state = kResolved;
  e->updated_ns = now_ns;
}

void Arp::input(const uint8_t* p, size_t length, uint64_t now_ns) {
  // RFC 826 "Packet Reception": hardware Ethernet (1), protocol IPv4, lengths 6 and 4.
  if (length < kArpLength || load_be16(p) != 1 || load_be16(p + 2) != kEtherTypeIpv4 || p[4] != 6 ||
      p[5] != 4) {
    ++stats_.arp_malformed;
    return;
  }
  uint16_t op = load_be16(p + 6);
  MacAddr sender_mac;
  memcpy(sender_mac.b, p + 8, 6);
  Ipv4Addr sender_ip = load_be32(p + 14);
  Ipv4Addr target_ip = load_be32(p + 24);
  if (sender_mac.is_multicast() || sender_ip == address_ || sender_ip == 0) return;  // probes, conflicts

  // RFC 826: merge the sender into an existing entry; add it only when we are the target.
  bool for_us = target_ip == address_;
  update(sender_ip, sender_mac, now_ns, for_us);
  if (for_us && op == kOpRequest) {
    send(kOpReply, sender_mac, sender_mac, sender_ip);
    ++stats_.arp_replies_sent;
  }
}

bool Arp::resolve(Ipv4Addr next_hop, uint64_t now_ns, MacAddr* out) {
  if (next_hop == kIpv4Broadcast) {
    *out = MacAddr::broadcast();
    return true;
  }
  Entry* e = find(next_hop);
  if (e == nullptr) {
    e = find_victim();
    *e = Entry{next_hop, MacAddr{}, kIncomplete, now_ns, 0};
  }
  bool stale = e->state == kResolved && now_ns - e->updated_ns > kEntryLifetimeNs;
  if (e->state == kIncomplete || stale) request(*e, now_ns);
  if (e->state != kResolved) return false;
  *out = e->mac;
  return true;
}

void Arp::request(Entry& e, uint64_t now_ns) {
  if (now_ns < e.next_request_ns) return;
  e.next_request_ns = now_ns + kRequestIntervalNs;
  send(kOpRequest, MacAddr::broadcast(), MacAddr{}, e.ip);
  ++stats_.arp_requests_sent;
}

void Arp::glean(Ipv4Addr ip, const MacAddr& mac, uint64_t now_ns) {
  if (mac.is_multicast() || ip == address_) return;
  Entry* e = find(ip);
  if (e != nullptr && e->state == kResolved && now_ns - e->updated_ns <= kEntryLifetimeNs) return;
  update(ip, mac, now_ns, true);
}

void Arp::announce() { send(kOpRequest, MacAddr::broadcast(), MacAddr{}, address_); }

void Arp::send(uint16_t op, const MacAddr& eth_dst, const MacAddr& target_mac, Ipv4Addr target_ip) {
  uint8_t frame[kEthHeaderLength + kArpLength];
  write_eth(frame, eth_dst, mac_, kEtherTypeArp);
  uint8_t* p = frame + kEthHeaderLength;
  store_be16(p, 1);
  store_be16(p + 2, kEtherTypeIpv4);
  p[4] = 6;
  p[5] = 4;
  store_be16(p + 6, op);
  memcpy(p + 8, mac_.b, 6);
  store_be32(p + 14, address_);
  memcpy(p + 18, target_mac.b, 6);
  store_be32(p + 24, target_ip);
  Slice piece{frame, sizeof frame};
  if (device_.send(&piece, 1)) {
    ++stats_.tx_frames;
  } else {
    ++stats_.tx_device_full;
  }
}

}  // namespace gnet
