// The TCB pool and its lists: allocation (lazy: a slot is touched when first used),
// demultiplexing by a keyed hash, listeners and accept queues, and the lists the output
// pass and the application consume.
#include "net/isn.h"
#include "net/tcp.h"

namespace gnet {

const char* tcp_state_name(TcpState state) {
  switch (state) {
    case TcpState::kClosed: return "CLOSED";
    case TcpState::kSynReceived: return "SYN-RECEIVED";
    case TcpState::kEstablished: return "ESTABLISHED";
    case TcpState::kFinWait1: return "FIN-WAIT-1";
    case TcpState::kFinWait2: return "FIN-WAIT-2";
    case TcpState::kCloseWait: return "CLOSE-WAIT";
    case TcpState::kClosing: return "CLOSING";
    case TcpState::kLastAck: return "LAST-ACK";
    case TcpState::kTimeWait: return "TIME-WAIT";
  }
  return "?";
}

Tcp::Tcp(Ipv4Output& out, Stats& stats, const TcpConfig& config, Ipv4Addr local_ip, uint16_t mtu)
    : out_(out), stats_(stats), config_(config), local_ip_(local_ip) {
  our_mss_ = static_cast<uint16_t>(mtu > 576 ? mtu - 40 : kTcpDefaultMss);
  max_connections_ = config.max_connections == 0 || config.max_connections > kTcpMaxConnections
                         ? kTcpMaxConnections
                         : config.max_connections;
  hash_key_ = static_cast<uint32_t>(siphash24(config_.isn_key, "tcp-hash", 8)) | 1u;
}

Tcb* Tcp::alloc_tcb() {
  uint16_t s;
  if (free_head_) {
    s = static_cast<uint16_t>(free_head_ - 1);
    free_head_ = free_next_[s];
  } else if (hwm_ < max_connections_) {
    s = hwm_++;
    tcbs_[s].generation = 0;  // first use of the slot: its memory is still untouched
  } else {
    return nullptr;
  }
  Tcb& t = tcbs_[s];
  uint16_t generation = static_cast<uint16_t>(t.generation + 1);
  t = Tcb{};
  t.generation = generation;
  send_[s].reset();
  list_push_back(tcbs_, used_, kListUsed, s);
  ++active_;
  return &t;
}

// When the pool is full, a TIME-WAIT connection (the one closest to expiry) is the one
// that can go without harm: its data is delivered and acknowledged.
Tcb* Tcp::recycle_time_wait() {
  Tcb* victim = nullptr;
  for (uint16_t i = used_.first; i; i = tcbs_[i - 1].links[kListUsed].next) {
    Tcb& t = tcbs_[i - 1];
    if (t.state == TcpState::kTimeWait && (victim == nullptr || t.timer_ns < victim->timer_ns)) victim = &t;
  }
  if (victim == nullptr) return nullptr;
  ++stats_.tcp_time_wait_recycled;
  free_tcb(*victim);
  return alloc_tcb();
}

void Tcp::free_tcb(Tcb& t) {
  uint16_t s = slot(t);
  if (t.on(kListHash)) list_remove(tcbs_, bucket(t.remote_ip, t.remote_port, t.local_port), kListHash, s);
  if (t.on(kListOutput)) list_remove(tcbs_, output_, kListOutput, s);
  unlink_app_lists(t);
  if (t.has(kTcbBacklog) && t.listener < kTcpMaxListeners) --listeners_[t.listener].pending;
  list_remove(tcbs_, used_, kListUsed, s);
  set_timer(t, TimerKind::kNone, 0);
  set_app_timer(t, 0);
  t.state = TcpState::kClosed;
  t.flags = 0;
  ++t.generation;  // invalidates ids still held anywhere
  free_next_[s] = free_head_;
  free_head_ = static_cast<uint16_t>(s + 1);
  --active_;
}

void Tcp::unlink_app_lists(Tcb& t) {
  uint16_t s = slot(t);
  if (t.on(kListReady)) list_remove(tcbs_, ready_, kListReady, s);
  if (t.on(kListAccept)) list_remove(tcbs_, listeners_[t.listener].accepted, kListAccept, s);
  t.events = 0;
}

ListHead& Tcp::bucket(Ipv4Addr remote_ip, uint16_t remote_port, uint16_t local_port) {
  uint32_t x = (remote_ip ^ hash_key_) * 0x9e3779b1u;
  x ^= ((uint32_t{remote_port} << 16) | local_port) + (x >> 15);
  x *= hash_key_;
  return buckets_[(x >> 24) % kHashBuckets];
}

Tcb* Tcp::lookup(Ipv4Addr remote_ip, uint16_t remote_port, uint16_t local_port) {
  ListHead& head = bucket(remote_ip, remote_port, local_port);
  for (uint16_t i = head.first; i; i = tcbs_[i - 1].links[kListHash].next) {
    Tcb& t = tcbs_[i - 1];
    if (t.remote_ip == remote_ip && t.remote_port == remote_port && t.local_port == local_port) return &t;
  }
  return nullptr;
}

Tcp::Listener* Tcp::find_listener(uint16_t port) {
  for (Listener& l : listeners_) {
    if (l.port != 0 && l.port == port) return &l;
  }
  return nullptr;
}

int Tcp::listen(uint16_t port, uint16_t backlog) {
  if (port == 0 || find_listener(port) != nullptr) return -1;
  for (int i = 0; i < kTcpMaxListeners; ++i) {
    if (listeners_[i].port == 0) {
      listeners_[i] = Listener{port, backlog ? backlog : uint16_t{1}, 0, {}};
      return i;
    }
  }
  return -1;
}

ConnId Tcp::accept(int listener) {
  if (listener < 0 || listener >= kTcpMaxListeners) return ConnId{};
  Listener& l = listeners_[listener];
  if (l.accepted.first == 0) return ConnId{};
  uint16_t s = static_cast<uint16_t>(l.accepted.first - 1);
  Tcb& t = tcbs_[s];
  list_remove(tcbs_, l.accepted, kListAccept, s);
  t.flags = static_cast<uint16_t>((t.flags | kTcbAppOwned) & ~kTcbBacklog);
  --l.pending;
  ++stats_.tcp_accepted;
  // Data or a FIN may have come before the accept.
  if (t.rx_length > 0 || t.has(kTcbPeerFin)) mark_ready(t, kEvReadable);
  return id_of(t);
}

ConnId Tcp::next_event(uint8_t* events) {
  if (ready_.first == 0) return ConnId{};
  uint16_t s = static_cast<uint16_t>(ready_.first - 1);
  Tcb& t = tcbs_[s];
  list_remove(tcbs_, ready_, kListReady, s);
  *events = t.events;
  t.events = 0;
  return id_of(t);
}

Tcb* Tcp::from_id(ConnId id) {
  if (!id.valid() || id.slot() >= hwm_) return nullptr;
  Tcb& t = tcbs_[id.slot()];
  if (t.generation != (id.value >> 16) || !t.has(kTcbAppOwned)) return nullptr;
  return &t;
}

const Tcb* Tcp::from_id(ConnId id) const { return const_cast<Tcp*>(this)->from_id(id); }

void Tcp::mark_output(Tcb& t) {
  if (!t.on(kListOutput)) list_push_back(tcbs_, output_, kListOutput, slot(t));
}

void Tcp::mark_ready(Tcb& t, uint8_t events) {
  if (!t.has(kTcbAppOwned)) return;
  t.events = static_cast<uint8_t>(t.events | events);
  if (!t.on(kListReady)) list_push_back(tcbs_, ready_, kListReady, slot(t));
}

void Tcp::terminate(Tcb& t) {
  if (!t.has(kTcbAppOwned)) {
    free_tcb(t);
    return;
  }
  // The application still holds the id: keep the slot, out of the demultiplexer, until
  // it calls close().
  uint16_t s = slot(t);
  if (t.on(kListHash)) list_remove(tcbs_, bucket(t.remote_ip, t.remote_port, t.local_port), kListHash, s);
  if (t.on(kListOutput)) list_remove(tcbs_, output_, kListOutput, s);
  t.state = TcpState::kClosed;
  set_timer(t, TimerKind::kNone, 0);
  mark_ready(t, kEvClosed);
}

bool Tcp::check_invariants() const {
  size_t used = 0;
  for (uint16_t i = used_.first; i; i = tcbs_[i - 1].links[kListUsed].next) {
    const Tcb& t = tcbs_[i - 1];
    if (++used > max_connections_ || !t.on(kListUsed)) return false;
    if (t.state != TcpState::kClosed && !t.on(kListHash)) return false;
    if (t.on(kListReady) && !t.has(kTcbAppOwned)) return false;
    if (t.rx_length > kTcpRxBufferBytes) return false;
    if (t.state != TcpState::kClosed && t.state != TcpState::kSynReceived) {
      if (seq_gt(t.snd_una, t.snd_nxt) || seq_gt(t.snd_nxt, t.snd_max)) return false;
      uint32_t fin = t.has(kTcbFinSent) ? 1u : 0u;
      if (t.snd_max - t.snd_una > send_[i - 1].size() + fin) return false;
    }
  }
  return used == active_;
}

}  // namespace gnet
