// Timers (one protocol timer and one application timeout per TCB, found by a scan that
// runs only when the earliest deadline has passed), RTO estimation (RFC 6298) and
// congestion control (RFC 5681 slow start and congestion avoidance, RFC 6582 NewReno).
#include "net/tcp.h"

namespace gnet {

namespace {
// Moving a deadline later (or stopping it, 0) may leave deadline_ too early.
bool moves_later(uint64_t old_ns, uint64_t new_ns) { return old_ns != 0 && (new_ns == 0 || new_ns > old_ns); }
}  // namespace

void Tcp::set_timer(Tcb& t, TimerKind kind, uint64_t at_ns) {
  uint64_t at = kind == TimerKind::kNone ? 0 : at_ns;
  deadline_stale_ |= moves_later(t.timer_ns, at);
  t.timer_kind = kind;
  t.timer_ns = at;
  if (at != 0 && at < deadline_) deadline_ = at;
}

void Tcp::set_app_timer(Tcb& t, uint64_t at_ns) {
  deadline_stale_ |= moves_later(t.app_timer_ns, at_ns);
  t.app_timer_ns = at_ns;
  if (at_ns != 0 && at_ns < deadline_) deadline_ = at_ns;
}

void Tcp::recompute_deadline() {
  uint64_t next = UINT64_MAX;
  for (uint16_t i = used_.first; i; i = tcbs_[i - 1].links[kListUsed].next) {
    const Tcb& t = tcbs_[i - 1];
    if (t.timer_ns != 0 && t.timer_ns < next) next = t.timer_ns;
    if (t.app_timer_ns != 0 && t.app_timer_ns < next) next = t.app_timer_ns;
  }
  deadline_ = next;
  deadline_stale_ = false;
}

uint64_t Tcp::next_deadline() {
  if (deadline_stale_) recompute_deadline();
  return deadline_;
}

void Tcp::run_timers() {
  if (now_ < deadline_) {
    if (deadline_stale_) recompute_deadline();
    return;
  }
  for (uint16_t i = used_.first; i;) {
    Tcb& t = tcbs_[i - 1];
    uint16_t following = t.links[kListUsed].next;
    uint16_t generation = t.generation;
    if (t.timer_ns != 0 && now_ >= t.timer_ns) on_timer(t);
    if (t.generation == generation && t.app_timer_ns != 0 && now_ >= t.app_timer_ns) {  // still alive
      set_app_timer(t, 0);
      mark_ready(t, kEvTimeout);
    }
    i = following;
  }
  recompute_deadline();
}

void Tcp::on_timer(Tcb& t) {
  TimerKind kind = t.timer_kind;
  set_timer(t, TimerKind::kNone, 0);
  switch (kind) {
    case TimerKind::kRetransmit:
      on_retransmit_timeout(t);
      break;
    case TimerKind::kPersist:
      // RFC 9293 3.8.6.1: probe the zero window, backing off exponentially; probes that
      // are answered never end the connection.
      t.rto_ns = t.rto_ns * 2 < config_.max_rto_ns ? t.rto_ns * 2 : config_.max_rto_ns;
      t.snd_nxt = t.snd_una;
      t.flags |= kTcbProbe;
      mark_output(t);
      break;
    case TimerKind::kTimeWait:
    case TimerKind::kFinWait2:
      free_tcb(t);
      break;
    case TimerKind::kNone:
      break;
  }
}

void Tcp::on_retransmit_timeout(Tcb& t) {
  bool syn = t.state == TcpState::kSynReceived;
  if (t.retries >= (syn ? config_.syn_ack_retries : config_.data_retries)) {
    ++stats_.tcp_timeouts;
    if (!syn) send_segment(t, t.snd_nxt, kTcpRst | kTcpAck, nullptr, 0);
    terminate(t);
    return;
  }
  ++t.retries;
  ++stats_.tcp_retransmits;
  // RFC 6298 (5.5)-(5.6): back off and resend the earliest unacknowledged segment.
  t.rto_ns = t.rto_ns * 2 < config_.max_rto_ns ? t.rto_ns * 2 : config_.max_rto_ns;
  t.flags &= static_cast<uint16_t>(~(kTcbRttTiming | kTcbRecovery));
  if (!syn) {
    // RFC 5681 section 3.1 (4): ssthresh = max(FlightSize / 2, 2 * SMSS), cwnd = 1 SMSS;
    // RFC 6582 section 3.2 (4): recover = highest sequence number sent.
    uint32_t half = flight_size(t) / 2;
    t.ssthresh = half > 2u * t.mss ? half : 2u * t.mss;
    t.cwnd = t.mss;
    t.dupacks = 0;
    t.recover = t.snd_max;
  }
  t.snd_nxt = syn ? t.iss : t.snd_una;  // go back: everything after is sent again
  mark_output(t);
}

void Tcp::enter_time_wait(Tcb& t) {
  t.state = TcpState::kTimeWait;
  set_timer(t, TimerKind::kTimeWait, now_ + config_.time_wait_ns);
}

// RFC 6298 section 2: SRTT and RTTVAR from a measurement R.
void Tcp::rtt_sample(Tcb& t, uint64_t rtt_ns) {
  uint64_t us = rtt_ns / 1000;
  uint32_t r = us == 0 ? 1 : (us > 60'000'000 ? 60'000'000 : static_cast<uint32_t>(us));
  if (t.srtt_us == 0) {
    t.srtt_us = r;  // (2.2)
    t.rttvar_us = r / 2;
  } else {
    uint32_t delta = t.srtt_us > r ? t.srtt_us - r : r - t.srtt_us;  // (2.3)
    t.rttvar_us = (3 * t.rttvar_us + delta) / 4;
    t.srtt_us = (7 * t.srtt_us + r) / 8;
    if (t.srtt_us == 0) t.srtt_us = 1;
  }
}

// RTO = SRTT + max(G, 4 * RTTVAR), clamped; the backoff ends when new data is acknowledged
// (as Linux does) and the initial RTO holds until a first sample.
void Tcp::reset_rto(Tcb& t) {
  if (t.srtt_us == 0) {
    t.rto_ns = config_.initial_rto_ns;
    return;
  }
  constexpr uint64_t kGranularityUs = 1000;
  uint64_t var = 4 * uint64_t{t.rttvar_us};
  uint64_t rto = (t.srtt_us + (var > kGranularityUs ? var : kGranularityUs)) * 1000;
  if (rto < config_.min_rto_ns) rto = config_.min_rto_ns;
  if (rto > config_.max_rto_ns) rto = config_.max_rto_ns;
  t.rto_ns = rto;
}

void Tcp::cc_on_ack(Tcb& t, uint32_t acked) {
  t.dupacks = 0;
  if (t.has(kTcbRecovery)) {
    if (seq_ge(t.snd_una, t.recover)) {
      t.flags &= static_cast<uint16_t>(~kTcbRecovery);  // RFC 6582 3.2 (3): full ACK
      t.cwnd = t.ssthresh;
    } else {
      // Partial ACK: the next hole is lost too. Resend it, deflate the window by the
      // amount acknowledged and add back one SMSS (RFC 6582 3.2 (3)).
      retransmit_head(t);
      t.cwnd = (t.cwnd > acked ? t.cwnd - acked : 0) + t.mss;
    }
    return;
  }
  // RFC 5681 section 3.1: slow start below ssthresh, congestion avoidance above.
  if (t.cwnd < t.ssthresh) {
    t.cwnd += acked < t.mss ? acked : t.mss;
  } else {
    uint32_t step = t.mss * t.mss / t.cwnd;
    t.cwnd += step ? step : 1;
  }
  if (t.cwnd > (1u << 30)) t.cwnd = 1u << 30;
}

void Tcp::cc_on_dupack(Tcb& t) {
  if (t.dupacks < 255) ++t.dupacks;
  if (t.has(kTcbRecovery)) {
    t.cwnd += t.mss;  // RFC 6582 3.2 (4): each further duplicate inflates the window
    mark_output(t);
    return;
  }
  // RFC 6582 3.2 (2): the third duplicate starts fast retransmit unless it belongs to a
  // loss episode already handled (SND.UNA not past `recover`).
  if (t.dupacks == 3 && seq_gt(t.snd_una, t.recover)) {
    uint32_t half = flight_size(t) / 2;
    t.ssthresh = half > 2u * t.mss ? half : 2u * t.mss;
    t.recover = t.snd_max;
    t.flags |= kTcbRecovery;
    ++stats_.tcp_fast_retransmits;
    retransmit_head(t);
    t.cwnd = t.ssthresh + 3u * t.mss;
    mark_output(t);
  }
}

}  // namespace gnet
