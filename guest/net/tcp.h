// TCP (RFC 9293) over a fixed pool of connections: passive open only, with listeners and a
// backlog; RFC 6298 retransmission timer with backoff, RFC 5681/6582 congestion control,
// RFC 5961 checks against blind in-window attacks, RFC 6528 initial sequence numbers.
//
// Memory is bounded and static: kTcpMaxConnections TCBs, each with a kTcpRxBufferBytes
// receive buffer and a SendQueue; nothing is allocated or zeroed up front, so pages are
// touched only as connections are first used.
//
// Single-threaded. The owner (the Stack) calls, per event-loop iteration: set_now(),
// input() per received segment, run_timers(), then the application uses the API below,
// then transmit() sends what became due. ACKs and data go out in transmit(), batched.
#pragma once

#include "net/ipv4.h"
#include "net/send_queue.h"
#include "net/stats.h"
#include "net/tcb.h"
#include "net/tcp_segment.h"
#include "net/wire.h"

namespace gnet {

constexpr uint16_t kTcpMaxConnections = 128;
constexpr uint16_t kTcpRxBufferBytes = 4096;
constexpr uint8_t kTcpMaxListeners = 4;

struct TcpConfig {
  uint16_t max_connections = kTcpMaxConnections;  // clamped to kTcpMaxConnections
  // RFC 9293 asks for 2 MSL (minutes); a server that recycles TIME-WAIT TCBs when full
  // can afford a short one.
  uint64_t time_wait_ns = 1'000'000'000;
  uint64_t fin_wait2_timeout_ns = 30'000'000'000;  // after our FIN is acked, peer silent
  uint64_t initial_rto_ns = 1'000'000'000;         // RFC 6298 (2.1)
  uint64_t min_rto_ns = 200'000'000;               // RFC 6298 (2.4) says 1 s; Linux 200 ms
  uint64_t max_rto_ns = 60'000'000'000;            // RFC 6298 (2.5)
  uint8_t syn_ack_retries = 5;
  uint8_t data_retries = 8;  // RTOs in a row before the connection is given up
  uint8_t isn_key[16] = {};  // secret for RFC 6528 ISNs; use fresh entropy
};

// A connection as the application sees it: slot + 1 in the low 16 bits, the slot's
// generation in the high 16. 0 is never valid. Stale ids are rejected by every call.
struct ConnId {
  uint32_t value = 0;
  bool valid() const { return value != 0; }
  // The connection's slot in [0, kTcpMaxConnections): an index for the application's own
  // per-connection state (valid ids only).
  uint16_t slot() const { return static_cast<uint16_t>((value & 0xffff) - 1); }
  bool operator==(const ConnId& o) const { return value == o.value; }
};

enum TcpEvent : uint8_t {
  kEvReadable = 1 << 0,  // data or the peer's FIN arrived
  kEvWritable = 1 << 1,  // queued data was acknowledged: send space freed
  kEvClosed = 1 << 2,    // reset by the peer or timed out; close() the id
  kEvTimeout = 1 << 3,   // the deadline set by set_timeout() passed
};

class Tcp {
 public:
  Tcp(Ipv4Output& out, Stats& stats, const TcpConfig& config, Ipv4Addr local_ip, uint16_t mtu);

  // ---- network side (the stack) ----
  void set_now(uint64_t now_ns) { now_ = now_ns; }
  // Handles a TCP segment in a validated IPv4 packet addressed to us (unicast).
  void input(const Ipv4Packet& packet);
  // Fires due timers: retransmission, persist, TIME-WAIT, FIN-WAIT-2, application timeouts.
  void run_timers();
  // Sends everything that became due (data, retransmissions, FINs, ACKs). Stops early
  // when the device is full; has_pending_output() then stays true.
  void transmit();
  // The earliest timer deadline (guest clock ns), UINT64_MAX when no timer runs.
  uint64_t next_deadline();
  bool has_pending_output() const { return output_.first != 0; }

  // ---- application side ----
  // Opens a listener on `port` accepting up to `backlog` connections not yet accepted
  // (SYN-RECEIVED ones included). Returns its index, or -1 (no slot, port taken).
  int listen(uint16_t port, uint16_t backlog);
  // The next established connection of listener `listener`, or an invalid id.
  ConnId accept(int listener);
  // The next connection with pending events (kEv* bits in *events), or an invalid id.
  ConnId next_event(uint8_t* events);

  // Received bytes not yet consumed: sets *data and returns the count (0 for a bad id).
  size_t readable(ConnId id, const uint8_t** data) const;
  // Marks the first `length` readable bytes as used, opening the receive window.
  void consume(ConnId id, size_t length);
  // True once the peer's FIN has arrived (after readable data no more will come).
  bool peer_closed(ConnId id) const;

  // Bytes send_copy() accepts now, and free reference slots for send_ref().
  size_t send_copy_space(ConnId id) const;
  size_t send_chunks_free(ConnId id) const;
  // Bytes queued and not yet acknowledged.
  size_t send_queued(ConnId id) const;
  // Queues a copy of up to `length` bytes; returns how many were taken.
  size_t send_copy(ConnId id, const void* data, size_t length);
  // Queues `length` bytes by reference: they must stay valid and unchanged for the life of
  // the stack (static content). false when no slot is free.
  bool send_ref(ConnId id, const void* data, size_t length);

  // Graceful close: FIN after the queued data. The id becomes invalid at once; data that
  // still arrives is acknowledged and discarded.
  void close(ConnId id);
  // Sends RST, frees the connection; the id becomes invalid.
  void abort(ConnId id);
  // Raises kEvTimeout at `deadline_ns` (guest clock); 0 cancels.
  void set_timeout(ConnId id, uint64_t deadline_ns);

  TcpState state(ConnId id) const;
  // Connections in use (any state, TIME-WAIT included).
  size_t connection_count() const { return active_; }
  // Walks every list and checks the sequence-space invariants; false on corruption.
  // For tests and fuzzers.
  bool check_invariants() const;

 private:
  struct Listener {
    uint16_t port;  // 0: free
    uint16_t backlog;
    uint16_t pending;
    ListHead accepted;
  };
  enum class OutputResult : uint8_t { kDone, kMore, kBlocked };
  static constexpr size_t kHashBuckets = 256;
  static constexpr int kSegmentsPerPass = 16;

  // tcp_table.cpp: the pool, demultiplexing, listeners, application-visible lists.
  Tcb* alloc_tcb();
  Tcb* recycle_time_wait();
  void free_tcb(Tcb& t);
  Tcb* lookup(Ipv4Addr remote_ip, uint16_t remote_port, uint16_t local_port);
  ListHead& bucket(Ipv4Addr remote_ip, uint16_t remote_port, uint16_t local_port);
  Listener* find_listener(uint16_t port);
  uint16_t slot(const Tcb& t) const { return static_cast<uint16_t>(&t - tcbs_); }
  ConnId id_of(const Tcb& t) const { return ConnId{(uint32_t{t.generation} << 16) | (slot(t) + 1u)}; }
  Tcb* from_id(ConnId id);
  const Tcb* from_id(ConnId id) const;
  void mark_output(Tcb& t);
  void mark_ready(Tcb& t, uint8_t events);
  void unlink_app_lists(Tcb& t);
  // The connection is over (reset, timed out): frees the TCB, or keeps it in kClosed and
  // raises kEvClosed while the application holds it.
  void terminate(Tcb& t);

  // tcp_input.cpp: RFC 9293 section 3.10.7, segment arrival.
  void input_listen(Listener& l, Ipv4Addr src, const TcpSegment& seg);
  void input_connection(Tcb& t, TcpSegment seg);
  bool acceptable(const Tcb& t, const TcpSegment& seg) const;
  void trim_to_window(const Tcb& t, TcpSegment& seg) const;
  void process_rst(Tcb& t, const TcpSegment& seg);
  bool process_ack(Tcb& t, const TcpSegment& seg);
  void process_text(Tcb& t, const TcpSegment& seg);
  void process_fin(Tcb& t);
  void established(Tcb& t, const TcpSegment& seg);
  void ack_advance(Tcb& t, uint32_t ack);

  // tcp_output.cpp: segment construction and the output pass.
  OutputResult output(Tcb& t);
  OutputResult output_data(Tcb& t);
  // Sends a segment of `t` at `seq` with the given payload; false when the device is full.
  bool send_segment(Tcb& t, uint32_t seq, uint8_t flags, const Slice* payload, size_t count);
  bool send_ack(Tcb& t);
  // Sends the first unacknowledged segment again (fast retransmit, partial ACKs).
  void retransmit_head(Tcb& t);
  void send_reset(Ipv4Addr dst, const TcpSegment& seg);
  SendResult emit(Ipv4Addr dst, const TcpHeader& h, const Slice* payload, size_t count);
  uint16_t receive_window(Tcb& t);
  size_t receive_space(const Tcb& t) const;
  bool window_update_due(const Tcb& t) const;

  // tcp_timers.cpp: timers, RTO estimation (RFC 6298), congestion control (RFC 5681/6582).
  void set_timer(Tcb& t, TimerKind kind, uint64_t at_ns);
  void set_app_timer(Tcb& t, uint64_t at_ns);
  // Rescans the TCBs for the earliest deadline (after timers were stopped or pushed back).
  void recompute_deadline();
  void on_timer(Tcb& t);
  void on_retransmit_timeout(Tcb& t);
  void enter_time_wait(Tcb& t);
  void rtt_sample(Tcb& t, uint64_t rtt_ns);
  void reset_rto(Tcb& t);
  void cc_on_ack(Tcb& t, uint32_t acked);
  void cc_on_dupack(Tcb& t);
  uint32_t flight_size(const Tcb& t) const { return t.snd_max - t.snd_una; }

  Ipv4Output& out_;
  Stats& stats_;
  TcpConfig config_;
  Ipv4Addr local_ip_;
  uint16_t our_mss_;
  uint16_t max_connections_;
  uint16_t hwm_ = 0;        // slots [0, hwm_) have been used at least once
  uint16_t free_head_ = 0;  // slot + 1 of the first free slot below hwm_
  uint16_t active_ = 0;
  uint64_t now_ = 0;
  uint64_t deadline_ = UINT64_MAX;  // never later than the earliest timer
  bool deadline_stale_ = false;      // a timer moved later or stopped: rescan before use
  uint32_t hash_key_;
  ListHead used_ = {};
  ListHead output_ = {};
  ListHead ready_ = {};
  Listener listeners_[kTcpMaxListeners] = {};
  ListHead buckets_[kHashBuckets] = {};
  uint16_t free_next_[kTcpMaxConnections];  // free-list links, valid for free slots only
  // The large per-connection arrays come last and are left uninitialised.
  Tcb tcbs_[kTcpMaxConnections];
  SendQueue send_[kTcpMaxConnections];
  uint8_t rx_[kTcpMaxConnections][kTcpRxBufferBytes];
};

}  // namespace gnet
