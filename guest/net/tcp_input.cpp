// Segment arrival, following the event-processing order of RFC 9293 section 3.10.7, with
// the RFC 5961 mitigations (exact-match RST, challenge ACKs, ACK range check).
#include "net/isn.h"
#include "net/tcp.h"

namespace gnet {
namespace {

bool receives_text(TcpState s) {
  return s == TcpState::kEstablished || s == TcpState::kFinWait1 || s == TcpState::kFinWait2;
}

}  // namespace

void Tcp::input(const Ipv4Packet& packet) {
  TcpSegment seg;
  switch (parse_tcp_segment(packet, &seg)) {
    case TcpParseError::kNone: break;
    case TcpParseError::kBadChecksum: ++stats_.tcp_bad_checksum; return;
    default: ++stats_.tcp_malformed; return;
  }
  // A zero port is reserved and never a valid endpoint.
  if (seg.src_port == 0 || seg.dst_port == 0) {
    ++stats_.tcp_malformed;
    return;
  }
  if (Tcb* t = lookup(packet.src, seg.src_port, seg.dst_port)) {
    input_connection(*t, seg);
  } else if (Listener* l = find_listener(seg.dst_port)) {
    input_listen(*l, packet.src, seg);
  } else {
    send_reset(packet.src, seg);  // RFC 9293 3.10.7.1: no connection
  }
}

// RFC 9293 section 3.10.7.2, LISTEN state.
void Tcp::input_listen(Listener& l, Ipv4Addr src, const TcpSegment& seg) {
  if (seg.has(kTcpRst)) return;
  if (seg.has(kTcpAck)) {
    send_reset(src, seg);
    return;
  }
  if (!seg.has(kTcpSyn)) return;
  if (l.pending >= l.backlog) {
    ++stats_.tcp_backlog_drops;  // like a full accept queue: the peer will retry the SYN
    return;
  }
  Tcb* t = alloc_tcb();
  if (t == nullptr) t = recycle_time_wait();
  if (t == nullptr) {
    ++stats_.tcp_refused_table_full;  // refuse cleanly; existing connections are untouched
    send_reset(src, seg);
    return;
  }
  t->state = TcpState::kSynReceived;
  t->listener = static_cast<uint8_t>(&l - listeners_);
  t->flags = kTcbBacklog;
  ++l.pending;
  t->remote_ip = src;
  t->remote_port = seg.src_port;
  t->local_port = seg.dst_port;
  t->irs = seg.seq;
  t->rcv_nxt = seg.seq + 1;
  t->rcv_adv = t->rcv_nxt;
  t->iss = tcp_isn(config_.isn_key, local_ip_, seg.dst_port, src, seg.src_port, now_);
  t->snd_una = t->snd_nxt = t->snd_max = t->recover = t->iss;
  t->snd_wnd = t->max_snd_wnd = seg.window;  // never scaled in a SYN
  t->snd_wl1 = seg.seq;
  t->snd_wl2 = t->iss;
  // RFC 9293 3.7.1: the peer's MSS option or 536. A floor (as Linux has) keeps a hostile
  // peer from making us cut a download into thousands of tiny segments.
  uint16_t mss = seg.mss ? seg.mss : kTcpDefaultMss;
  if (mss > our_mss_) mss = our_mss_;
  if (mss < 88) mss = 88;
  t->mss = mss;
  // RFC 6928: IW = min(10 * MSS, max(2 * MSS, 14600)); RFC 5681 3.1: initial ssthresh
  // arbitrarily high.
  uint32_t cap = 2u * mss > 14600 ? 2u * mss : 14600;
  t->cwnd = 10u * mss < cap ? 10u * mss : cap;
  t->ssthresh = 1u << 30;
  t->rto_ns = config_.initial_rto_ns;
  list_push_back(tcbs_, bucket(src, seg.src_port, seg.dst_port), kListHash, slot(*t));
  mark_output(*t);  // SYN-ACK; data carried by the SYN is not accepted (the peer resends)
}

// RFC 9293 section 3.10.7.4, first check: is the segment inside the receive window?
bool Tcp::acceptable(const Tcb& t, const TcpSegment& seg) const {
  uint32_t wnd = seq_gt(t.rcv_adv, t.rcv_nxt) ? t.rcv_adv - t.rcv_nxt : 0;
  uint32_t len = seg.seq_length();
  if (len == 0) return wnd == 0 ? seg.seq == t.rcv_nxt : seq_in(seg.seq, t.rcv_nxt, t.rcv_nxt + wnd);
  if (wnd == 0) return false;
  return seq_in(seg.seq, t.rcv_nxt, t.rcv_nxt + wnd) || seq_in(seg.seq + len - 1, t.rcv_nxt, t.rcv_nxt + wnd);
}

// Cuts what lies before RCV.NXT (duplicates) and past the window's right edge
// (RFC 9293 3.10.7.4: "trimmed to the window"); a SYN or FIN cut off is cleared.
void Tcp::trim_to_window(const Tcb& t, TcpSegment& seg) const {
  if (seq_lt(seg.seq, t.rcv_nxt)) {
    uint32_t skip = t.rcv_nxt - seg.seq;
    if (seg.has(kTcpSyn)) {
      seg.flags &= static_cast<uint8_t>(~kTcpSyn);
      --skip;
      ++seg.seq;
    }
    size_t data = skip < seg.payload_length ? skip : seg.payload_length;
    seg.payload += data;
    seg.payload_length -= data;
    seg.seq += static_cast<uint32_t>(data);
    if (skip > data) seg.flags &= static_cast<uint8_t>(~kTcpFin);  // an old FIN
  }
  uint32_t right = t.rcv_adv;
  if (seq_gt(seg.seq + static_cast<uint32_t>(seg.payload_length), right)) {
    seg.payload_length = seq_gt(right, seg.seq) ? right - seg.seq : 0;
    seg.flags &= static_cast<uint8_t>(~kTcpFin);
  }
}

void Tcp::input_connection(Tcb& t, TcpSegment seg) {
  // Our SYN-ACK was lost and the peer repeats its SYN: answer again at once (as Linux does)
  // rather than only ACKing as the window test below would.
  if (t.state == TcpState::kSynReceived && seg.has(kTcpSyn) && !seg.has(kTcpAck) && seg.seq == t.irs) {
    t.snd_nxt = t.iss;
    mark_output(t);
    return;
  }
  if (!acceptable(t, seg)) {
    ++stats_.tcp_unacceptable;
    if (seg.has(kTcpRst)) return;
    // "If the RCV.WND is zero, no segments will be acceptable, but special allowance should
    // be made to accept valid ACKs": a zero-window probe still carries one.
    bool zero_window = !seq_gt(t.rcv_adv, t.rcv_nxt);
    if (zero_window && seg.seq == t.rcv_nxt && seg.has(kTcpAck) && !seg.has(kTcpSyn) && !process_ack(t, seg)) return;
    if (t.state == TcpState::kTimeWait && seg.has(kTcpFin)) enter_time_wait(t);  // restart 2 MSL
    t.flags |= kTcbAckNow;  // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
    mark_output(t);
    return;
  }
  if (seg.has(kTcpRst)) {
    process_rst(t, seg);
    return;
  }
  trim_to_window(t, seg);
  // RFC 9293 3.10.7.4 fourth (RFC 5961 section 4): a SYN in a synchronized state draws a
  // challenge ACK; in SYN-RECEIVED of a passive open the TCB returns to LISTEN (is freed).
  if (seg.has(kTcpSyn)) {
    if (t.state == TcpState::kSynReceived) {
      free_tcb(t);
    } else {
      ++stats_.tcp_challenge_acks;
      send_ack(t);
    }
    return;
  }
  if (!seg.has(kTcpAck)) return;  // fifth: "if the ACK bit is off, drop the segment"
  if (!process_ack(t, seg)) return;
  if (seg.payload_length > 0 && receives_text(t.state)) process_text(t, seg);
  if (seg.has(kTcpFin) && seg.seq + static_cast<uint32_t>(seg.payload_length) == t.rcv_nxt) process_fin(t);
}

// RFC 9293 3.10.7.4 second, with RFC 5961 section 3.2: only an RST exactly at RCV.NXT
// resets; one elsewhere in the window draws a challenge ACK.
void Tcp::process_rst(Tcb& t, const TcpSegment& seg) {
  if (seg.seq != t.rcv_nxt) {
    ++stats_.tcp_challenge_acks;
    send_ack(t);
    return;
  }
  terminate(t);  // SYN-RECEIVED of a passive open "returns to LISTEN": the TCB is freed
}

// RFC 9293 3.10.7.4 fifth. Returns false when the segment is to be dropped.
bool Tcp::process_ack(Tcb& t, const TcpSegment& seg) {
  if (t.state == TcpState::kSynReceived) {
    if (!seq_gt(seg.ack, t.snd_una) || seq_gt(seg.ack, t.snd_max)) {
      send_reset(t.remote_ip, seg);  // <SEQ=SEG.ACK><CTL=RST>
      return false;
    }
    established(t, seg);
  }
  // Acknowledges something not yet sent: ACK and drop. RFC 5961 section 5.2: an ACK older
  // than the largest window the peer ever offered is also dropped (with an ACK).
  if (seq_gt(seg.ack, t.snd_max) || seq_lt(seg.ack, t.snd_una - t.max_snd_wnd)) {
    ++stats_.tcp_challenge_acks;
    t.flags |= kTcbAckNow;
    mark_output(t);
    return false;
  }
  bool window_changed = seg.window != t.snd_wnd;
  if (seq_gt(seg.ack, t.snd_una)) {
    ack_advance(t, seg.ack);
  } else if (seg.ack == t.snd_una && seg.payload_length == 0 && !seg.has(kTcpFin) && !window_changed &&
             t.snd_max != t.snd_una) {
    cc_on_dupack(t);  // RFC 5681 section 2: a duplicate ACK
  }
  // Window update (RFC 9293 3.10.7.4): only from a segment newer than the last one used.
  if (seq_lt(t.snd_wl1, seg.seq) || (t.snd_wl1 == seg.seq && seq_le(t.snd_wl2, seg.ack))) {
    if (seg.window > t.snd_wnd) mark_output(t);
    t.snd_wnd = seg.window;
    if (t.snd_wnd > t.max_snd_wnd) t.max_snd_wnd = t.snd_wnd;
    t.snd_wl1 = seg.seq;
    t.snd_wl2 = seg.ack;
  }

  bool fin_acked = t.has(kTcbFinSent) && t.snd_una == t.snd_max;
  switch (t.state) {
    case TcpState::kFinWait1:
      if (fin_acked) {
        t.state = TcpState::kFinWait2;
        set_timer(t, TimerKind::kFinWait2, now_ + config_.fin_wait2_timeout_ns);
      }
      break;
    case TcpState::kClosing:
      if (fin_acked) enter_time_wait(t);
      break;
    case TcpState::kLastAck:
      if (fin_acked) {
        free_tcb(t);
        return false;
      }
      break;
    default:
      break;
  }
  return true;
}

// SYN-RECEIVED -> ESTABLISHED: the handshake completed; queue for accept().
void Tcp::established(Tcb& t, const TcpSegment& seg) {
  t.state = TcpState::kEstablished;
  t.snd_wnd = seg.window;
  if (t.snd_wnd > t.max_snd_wnd) t.max_snd_wnd = t.snd_wnd;
  t.snd_wl1 = seg.seq;
  t.snd_wl2 = seg.ack;
  if (t.listener < kTcpMaxListeners && listeners_[t.listener].port != 0) {
    list_push_back(tcbs_, listeners_[t.listener].accepted, kListAccept, slot(t));
  }
}

// SND.UNA advances to `ack`: release acknowledged bytes, sample the RTT, manage timers.
void Tcp::ack_advance(Tcb& t, uint32_t ack) {
  uint32_t acked = ack - t.snd_una;
  uint32_t data = acked;
  if (t.snd_una == t.iss) --data;  // our SYN
  SendQueue& q = send_[slot(t)];
  if (data > q.size()) data = static_cast<uint32_t>(q.size());  // the rest is our FIN
  q.drop_front(data);
  t.snd_una = ack;
  if (seq_lt(t.snd_nxt, ack)) t.snd_nxt = ack;
  if (t.has(kTcbRttTiming) && seq_ge(ack, t.rtt_seq)) {
    t.flags &= static_cast<uint16_t>(~kTcbRttTiming);
    rtt_sample(t, now_ - t.rtt_start_ns);
  }
  t.retries = 0;
  reset_rto(t);
  cc_on_ack(t, acked);
  if (t.snd_una == t.snd_max) {
    if (t.timer_kind == TimerKind::kRetransmit || t.timer_kind == TimerKind::kPersist) set_timer(t, TimerKind::kNone, 0);
  } else {
    set_timer(t, TimerKind::kRetransmit, now_ + t.rto_ns);
  }
  if (data > 0) mark_ready(t, kEvWritable);
  mark_output(t);
}

// RFC 9293 3.10.7.4 seventh: in-order data goes to the receive buffer (or, once the
// application has closed, is acknowledged and discarded); anything past RCV.NXT is dropped
// and answered with an immediate duplicate ACK (RFC 5681 section 4.2).
void Tcp::process_text(Tcb& t, const TcpSegment& seg) {
  if (seg.seq != t.rcv_nxt) {
    ++stats_.tcp_out_of_order;
    send_ack(t);
    return;
  }
  size_t length = seg.payload_length;
  if (!t.has(kTcbAppClosed)) {
    size_t space = kTcpRxBufferBytes - t.rx_length;
    if (length > space) length = space;  // cannot happen within our window; be safe
    memcpy(rx_[slot(t)] + t.rx_length, seg.payload, length);
    t.rx_length = static_cast<uint16_t>(t.rx_length + length);
    mark_ready(t, kEvReadable);
  }
  t.rcv_nxt += static_cast<uint32_t>(length);
  t.flags |= kTcbAckNow;
  mark_output(t);
}

// RFC 9293 3.10.7.4 eighth: the peer's FIN, in sequence.
void Tcp::process_fin(Tcb& t) {
  if (!t.has(kTcbPeerFin)) {
    t.rcv_nxt += 1;
    t.flags |= kTcbPeerFin;
  }
  t.flags |= kTcbAckNow;
  mark_output(t);
  mark_ready(t, kEvReadable);
  switch (t.state) {
    case TcpState::kEstablished: t.state = TcpState::kCloseWait; break;
    case TcpState::kFinWait1:
      if (t.has(kTcbFinSent) && t.snd_una == t.snd_max) {
        enter_time_wait(t);
      } else {
        t.state = TcpState::kClosing;
      }
      break;
    case TcpState::kFinWait2: enter_time_wait(t); break;
    default: break;
  }
}

}  // namespace gnet
