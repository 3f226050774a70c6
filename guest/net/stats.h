// Counters of what the stack did and, above all, dropped and why: tests assert on them
// and the harness prints them. Plain integers, written by the single stack thread.
#pragma once

#include "net/ipv4.h"

namespace gnet {

struct Stats {
  // Link layer
  uint64_t rx_frames;
  uint64_t rx_not_for_us;        // Ethernet destination neither ours nor broadcast
  uint64_t rx_unknown_ethertype; // including VLAN-tagged frames
  uint64_t tx_frames;
  uint64_t tx_device_full;       // NetDevice::send refused a frame
  uint64_t tx_no_route;          // off-link destination and no gateway
  uint64_t tx_arp_miss;          // next hop unresolved: packet dropped, request sent

  // ARP
  uint64_t arp_malformed;
  uint64_t arp_requests_sent;
  uint64_t arp_replies_sent;

  // IPv4 and ICMP
  uint64_t ip_errors[static_cast<int>(Ipv4Error::kCount)];
  uint64_t ip_not_for_us;
  uint64_t ip_martian_source;    // broadcast, multicast or our own address as source
  uint64_t ip_unknown_protocol;
  uint64_t icmp_malformed;
  uint64_t icmp_echo_replies;

  // TCP
  uint64_t tcp_malformed;        // truncated header, data offset out of range
  uint64_t tcp_bad_checksum;
  uint64_t tcp_to_broadcast;
  uint64_t tcp_resets_sent;
  uint64_t tcp_refused_table_full;
  uint64_t tcp_backlog_drops;
  uint64_t tcp_time_wait_recycled;
  uint64_t tcp_unacceptable;     // failed the RFC 9293 acceptability test
  uint64_t tcp_challenge_acks;
  uint64_t tcp_out_of_order;     // dropped and re-ACKed
  uint64_t tcp_retransmits;      // segments sent again after an RTO
  uint64_t tcp_fast_retransmits;
  uint64_t tcp_timeouts;         // connections given up after too many retries
  uint64_t tcp_accepted;
};

}  // namespace gnet
