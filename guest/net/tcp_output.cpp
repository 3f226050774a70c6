// The output pass: SYN-ACKs, data within the peer's and the congestion window, FINs, ACKs
// and resets, each segment built from headers in a stack buffer and payload slices that
// point into the send queue (no copy until the device takes the frame).
#include "net/tcp.h"

namespace gnet {
namespace {

constexpr size_t kMaxPayloadSlices = Ipv4Output::kMaxPieces - 2;  // TCP header, IP+Ethernet

bool sends_data(TcpState s) {
  return s == TcpState::kEstablished || s == TcpState::kCloseWait || s == TcpState::kFinWait1 ||
         s == TcpState::kClosing || s == TcpState::kLastAck;
}

uint32_t min3(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t m = a < b ? a : b;
  return m < c ? m : c;
}

}  // namespace

void Tcp::transmit() {
  // One pass over the connections queued now; those with more to send go to the back, so
  // a bulk download cannot starve the others.
  uint16_t stop = output_.last;
  while (output_.first) {
    uint16_t s = static_cast<uint16_t>(output_.first - 1);
    list_remove(tcbs_, output_, kListOutput, s);
    OutputResult r = output(tcbs_[s]);
    if (r != OutputResult::kDone) list_push_back(tcbs_, output_, kListOutput, s);
    if (r == OutputResult::kBlocked || s + 1 == stop) break;
  }
}

Tcp::OutputResult Tcp::output(Tcb& t) {
  if (t.state == TcpState::kClosed) return OutputResult::kDone;
  OutputResult r = OutputResult::kDone;
  if (t.state == TcpState::kSynReceived) {
    if (t.snd_nxt == t.iss) {
      if (!send_segment(t, t.iss, kTcpSyn | kTcpAck, nullptr, 0)) return OutputResult::kBlocked;
      t.snd_nxt = t.iss + 1;
      t.snd_max = seq_max(t.snd_max, t.snd_nxt);
      if (t.timer_kind != TimerKind::kRetransmit) set_timer(t, TimerKind::kRetransmit, now_ + t.rto_ns);
    }
  } else if (sends_data(t.state)) {
    r = output_data(t);
    if (r == OutputResult::kBlocked) return r;
  }
  if (t.has(kTcbAckNow) && !send_ack(t)) return OutputResult::kBlocked;
  return r;
}

Tcp::OutputResult Tcp::output_data(Tcb& t) {
  const SendQueue& q = send_[slot(t)];
  uint32_t data_end = t.snd_una + static_cast<uint32_t>(q.size());
  uint32_t avail = 0;
  int n = 0;
  for (; n < kSegmentsPerPass; ++n) {
    avail = seq_lt(t.snd_nxt, data_end) ? data_end - t.snd_nxt : 0;
    uint32_t right = t.snd_una + (t.snd_wnd < t.cwnd ? t.snd_wnd : t.cwnd);
    uint32_t usable = seq_lt(t.snd_nxt, right) ? right - t.snd_nxt : 0;
    uint32_t length = min3(avail, usable, t.mss);
    // RFC 9293 3.8.6.1: when the persist timer fired, one byte goes past a closed window;
    // 3.8.6.2.1 (sender SWS avoidance): otherwise a window-limited segment shorter than
    // the MSS waits until it is at least half the largest window the peer offered.
    bool forced = t.has(kTcbProbe) && avail > 0;
    bool probe = forced && usable == 0;
    if (probe) length = 1;
    if (!forced && length < avail && length < t.mss && length < t.max_snd_wnd / 2) length = 0;

    Slice payload[kMaxPayloadSlices];
    size_t count = 0;
    if (length > 0) {
      length = static_cast<uint32_t>(q.gather(t.snd_nxt - t.snd_una, length, payload, kMaxPayloadSlices, &count));
    }
    bool fin = t.has(kTcbFinQueued) && seq_le(t.snd_nxt, data_end) && t.snd_nxt + length == data_end;
    if (length == 0 && !fin) break;

    uint8_t flags = static_cast<uint8_t>(kTcpAck | (fin ? kTcpFin : 0) | (length > 0 && length == avail ? kTcpPsh : 0));
    if (!send_segment(t, t.snd_nxt, flags, payload, count)) return OutputResult::kBlocked;
    if (length > 0 && !probe && t.snd_nxt == t.snd_max && !t.has(kTcbRttTiming)) {
      t.flags |= kTcbRttTiming;  // Karn: only segments sent once are timed
      t.rtt_seq = t.snd_nxt + length;
      t.rtt_start_ns = now_;
    }
    t.snd_nxt += length + (fin ? 1u : 0u);
    t.snd_max = seq_max(t.snd_max, t.snd_nxt);
    if (fin) t.flags |= kTcbFinSent;
    t.flags &= static_cast<uint16_t>(~kTcbProbe);
    if (probe) {
      set_timer(t, TimerKind::kPersist, now_ + t.rto_ns);
    } else if (t.timer_kind != TimerKind::kRetransmit) {
      set_timer(t, TimerKind::kRetransmit, now_ + t.rto_ns);
    }
    if (fin || probe) return OutputResult::kDone;
  }
  avail = seq_lt(t.snd_nxt, data_end) ? data_end - t.snd_nxt : 0;
  if (avail > 0 && t.snd_una == t.snd_max && t.timer_kind == TimerKind::kNone) {
    // Data waits for a window and nothing in flight will bring an ACK: probe later.
    set_timer(t, TimerKind::kPersist, now_ + t.rto_ns);
  }
  // Only a pass cut short by the per-pass budget comes back for more.
  return n == kSegmentsPerPass && avail > 0 ? OutputResult::kMore : OutputResult::kDone;
}

bool Tcp::send_segment(Tcb& t, uint32_t seq, uint8_t flags, const Slice* payload, size_t count) {
  TcpHeader h{t.local_port, t.remote_port, seq, t.rcv_nxt, flags, receive_window(t),
              static_cast<uint16_t>((flags & kTcpSyn) ? our_mss_ : 0)};
  if (emit(t.remote_ip, h, payload, count) == SendResult::kBusy) return false;
  t.flags &= static_cast<uint16_t>(~kTcbAckNow);  // every segment we send carries the ACK
  return true;
}

bool Tcp::send_ack(Tcb& t) { return send_segment(t, t.snd_nxt, kTcpAck, nullptr, 0); }

void Tcp::retransmit_head(Tcb& t) {
  const SendQueue& q = send_[slot(t)];
  Slice payload[kMaxPayloadSlices];
  size_t count = 0;
  size_t length = q.gather(0, q.size() < t.mss ? q.size() : t.mss, payload, kMaxPayloadSlices, &count);
  bool fin = t.has(kTcbFinSent) && length == q.size();
  if (length == 0 && !fin) return;
  t.flags &= static_cast<uint16_t>(~kTcbRttTiming);  // Karn: no sample from a resent segment
  ++stats_.tcp_retransmits;
  // When the device is full the segment is lost like any other; the RTO covers it.
  send_segment(t, t.snd_una, static_cast<uint8_t>(kTcpAck | (fin ? kTcpFin : 0)), payload, count);
}

// RFC 9293 section 3.10.7.1: the reset answering a segment that has no connection.
void Tcp::send_reset(Ipv4Addr dst, const TcpSegment& seg) {
  if (seg.has(kTcpRst)) return;  // never answer a reset with a reset
  TcpHeader h{seg.dst_port, seg.src_port, 0, 0, kTcpRst, 0, 0};
  if (seg.has(kTcpAck)) {
    h.seq = seg.ack;  // <SEQ=SEG.ACK><CTL=RST>
  } else {
    h.ack = seg.seq + seg.seq_length();  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    h.flags |= kTcpAck;
  }
  if (emit(dst, h, nullptr, 0) == SendResult::kSent) ++stats_.tcp_resets_sent;
}

SendResult Tcp::emit(Ipv4Addr dst, const TcpHeader& h, const Slice* payload, size_t count) {
  uint8_t header[kTcpMaxHeaderLength];
  size_t header_length = write_tcp_header(header, h);
  finish_tcp_checksum(header, header_length, payload, count, local_ip_, dst);
  Slice pieces[Ipv4Output::kMaxPieces - 1];
  pieces[0] = Slice{header, header_length};
  for (size_t i = 0; i < count; ++i) pieces[i + 1] = payload[i];
  return out_.send_ipv4(dst, kIpProtoTcp, pieces, count + 1);
}

size_t Tcp::receive_space(const Tcb& t) const {
  return t.has(kTcbAppClosed) ? kTcpRxBufferBytes : kTcpRxBufferBytes - t.rx_length;
}

// RFC 9293 3.8.6.2.2 (receiver SWS avoidance): the right edge moves only when it can move
// by min(half the buffer, the MSS); it never moves left.
uint16_t Tcp::receive_window(Tcb& t) {
  uint32_t current = seq_gt(t.rcv_adv, t.rcv_nxt) ? t.rcv_adv - t.rcv_nxt : 0;
  uint32_t space = static_cast<uint32_t>(receive_space(t));
  uint32_t step = kTcpRxBufferBytes / 2 < our_mss_ ? kTcpRxBufferBytes / 2 : our_mss_;
  if (space >= current + step || (space > current && space == kTcpRxBufferBytes)) {
    t.rcv_adv = t.rcv_nxt + space;
    current = space;
  }
  return static_cast<uint16_t>(current);
}

// After the application consumed data: is the window worth announcing now, because the
// peer may be waiting on a window that was small?
bool Tcp::window_update_due(const Tcb& t) const {
  uint32_t current = seq_gt(t.rcv_adv, t.rcv_nxt) ? t.rcv_adv - t.rcv_nxt : 0;
  uint32_t space = static_cast<uint32_t>(receive_space(t));
  return current < kTcpRxBufferBytes / 2 && space >= current + kTcpRxBufferBytes / 2;
}

}  // namespace gnet
