// The transmission control block (RFC 9293 section 3.3.1) and the intrusive index lists
// that link TCBs of the fixed pool: no pointers, no allocation, O(1) unlink.
#pragma once

#include "net/addr.h"

namespace gnet {

// RFC 9293 section 3.3.2. There is no SYN-SENT (we never open actively) and LISTEN is a
// listener, not a TCB; kClosed marks a TCB whose connection ended while the application
// still holds it.
enum class TcpState : uint8_t {
  kClosed,
  kSynReceived,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kCloseWait,
  kClosing,
  kLastAck,
  kTimeWait,
};

const char* tcp_state_name(TcpState state);

enum TcbFlag : uint16_t {
  kTcbAppOwned = 1 << 0,   // accepted by the application and not yet closed by it
  kTcbAppClosed = 1 << 1,  // the application closed: received data is discarded
  kTcbAckNow = 1 << 2,     // an ACK must go out in the next output pass
  kTcbFinQueued = 1 << 3,  // a FIN follows the queued data
  kTcbFinSent = 1 << 4,    // the FIN has been sent at least once
  kTcbPeerFin = 1 << 5,    // the peer's FIN has been received
  kTcbRecovery = 1 << 6,   // in NewReno fast recovery (RFC 6582)
  kTcbRttTiming = 1 << 7,  // a segment is being timed for an RTT sample
  kTcbProbe = 1 << 8,      // the persist timer fired: send one byte past the window
  kTcbBacklog = 1 << 9,    // counted in its listener's backlog (not yet accepted)
};

enum ListKind : uint8_t { kListUsed, kListHash, kListOutput, kListReady, kListAccept, kListCount };

enum class TimerKind : uint8_t { kNone, kRetransmit, kPersist, kTimeWait, kFinWait2 };

// Links hold slot + 1; 0 means none, so zeroed memory is a valid empty state.
struct Link {
  uint16_t prev;
  uint16_t next;
};
struct ListHead {
  uint16_t first;
  uint16_t last;
};

// Trivially constructible on purpose: the pool is never initialised as a whole (that would
// touch every page at boot); a TCB is set up when its slot is allocated.
struct Tcb {
  Link links[kListCount];
  uint8_t lists;  // bit per ListKind the TCB is on
  TcpState state;
  TimerKind timer_kind;
  uint8_t listener;
  uint16_t flags;
  uint16_t generation;
  uint8_t retries;
  uint8_t dupacks;
  uint8_t events;  // TcpEvent bits pending for the application
  uint16_t local_port;
  uint16_t remote_port;
  Ipv4Addr remote_ip;
  uint16_t mss;        // effective send MSS
  uint16_t rx_length;  // bytes in the receive buffer

  // Send sequence space (RFC 9293 section 3.3.1); snd_max is the highest SND.NXT reached,
  // since SND.NXT moves back to SND.UNA on a retransmission timeout.
  uint32_t iss, snd_una, snd_nxt, snd_max;
  uint32_t snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
  // Congestion control (RFC 5681, RFC 6582).
  uint32_t cwnd, ssthresh, recover;
  // Receive sequence space; rcv_adv is the right edge of the window last advertised.
  uint32_t irs, rcv_nxt, rcv_adv;

  // Round-trip estimation (RFC 6298), one timed segment at a time.
  uint32_t rtt_seq;
  uint32_t srtt_us;  // 0: no sample yet
  uint32_t rttvar_us;
  uint64_t rtt_start_ns;
  uint64_t rto_ns;

  uint64_t timer_ns;      // deadline of timer_kind, 0 when none
  uint64_t app_timer_ns;  // application timeout, 0 when none

  bool has(uint16_t flag) const { return (flags & flag) != 0; }
  bool on(ListKind k) const { return (lists & (1u << k)) != 0; }
};

// Appends slot `slot` (0-based) of `pool` to `head` on list kind `k`.
inline void list_push_back(Tcb* pool, ListHead& head, ListKind k, uint16_t slot) {
  Tcb& t = pool[slot];
  t.links[k] = Link{head.last, 0};
  if (head.last) {
    pool[head.last - 1].links[k].next = static_cast<uint16_t>(slot + 1);
  } else {
    head.first = static_cast<uint16_t>(slot + 1);
  }
  head.last = static_cast<uint16_t>(slot + 1);
  t.lists = static_cast<uint8_t>(t.lists | (1u << k));
}

// Unlinks `slot` from `head` (it must be on that list).
inline void list_remove(Tcb* pool, ListHead& head, ListKind k, uint16_t slot) {
  Tcb& t = pool[slot];
  Link l = t.links[k];
  if (l.prev) {
    pool[l.prev - 1].links[k].next = l.next;
  } else {
    head.first = l.next;
  }
  if (l.next) {
    pool[l.next - 1].links[k].prev = l.prev;
  } else {
    head.last = l.prev;
  }
  t.links[k] = Link{0, 0};
  t.lists = static_cast<uint8_t>(t.lists & ~(1u << k));
}

}  // namespace gnet
