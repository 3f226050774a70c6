// The application's side of TCP: reading, sending (by copy or by reference), closing and
// timeouts. Every call validates the id (slot, generation, ownership) first.
#include "net/tcp.h"

namespace gnet {

size_t Tcp::readable(ConnId id, const uint8_t** data) const {
  const Tcb* t = from_id(id);
  if (t == nullptr) return 0;
  *data = rx_[slot(*t)];
  return t->rx_length;
}

void Tcp::consume(ConnId id, size_t length) {
  Tcb* t = from_id(id);
  if (t == nullptr || length == 0) return;
  if (length > t->rx_length) length = t->rx_length;
  uint8_t* buffer = rx_[slot(*t)];
  memmove(buffer, buffer + length, t->rx_length - length);
  t->rx_length = static_cast<uint16_t>(t->rx_length - length);
  if (window_update_due(*t)) {
    t->flags |= kTcbAckNow;
    mark_output(*t);
  }
}

bool Tcp::peer_closed(ConnId id) const {
  const Tcb* t = from_id(id);
  return t == nullptr || t->has(kTcbPeerFin) || t->state == TcpState::kClosed;
}

size_t Tcp::send_copy_space(ConnId id) const {
  const Tcb* t = from_id(id);
  return t ? send_[slot(*t)].copy_space() : 0;
}

size_t Tcp::send_chunks_free(ConnId id) const {
  const Tcb* t = from_id(id);
  return t ? send_[slot(*t)].chunks_free() : 0;
}

size_t Tcp::send_queued(ConnId id) const {
  const Tcb* t = from_id(id);
  return t ? send_[slot(*t)].size() : 0;
}

namespace {
bool can_queue(const Tcb* t) {
  return t != nullptr && !t->has(kTcbFinQueued) &&
         (t->state == TcpState::kEstablished || t->state == TcpState::kCloseWait);
}
}  // namespace

size_t Tcp::send_copy(ConnId id, const void* data, size_t length) {
  Tcb* t = from_id(id);
  if (!can_queue(t)) return 0;
  size_t n = send_[slot(*t)].push_copy(data, length);
  if (n > 0) mark_output(*t);
  return n;
}

bool Tcp::send_ref(ConnId id, const void* data, size_t length) {
  Tcb* t = from_id(id);
  if (!can_queue(t) || !send_[slot(*t)].push_ref(data, length)) return false;
  mark_output(*t);
  return true;
}

void Tcp::close(ConnId id) {
  Tcb* t = from_id(id);
  if (t == nullptr) return;
  unlink_app_lists(*t);
  t->flags = static_cast<uint16_t>((t->flags & ~kTcbAppOwned) | kTcbAppClosed);
  set_app_timer(*t, 0);
  t->rx_length = 0;  // unread data is dropped; later data is acknowledged and discarded
  switch (t->state) {
    case TcpState::kEstablished:
      t->state = TcpState::kFinWait1;  // RFC 9293 3.10.4: FIN follows the queued data
      break;
    case TcpState::kCloseWait:
      t->state = TcpState::kLastAck;
      break;
    default:
      free_tcb(*t);  // kClosed: the connection already ended
      return;
  }
  t->flags |= kTcbFinQueued | kTcbAckNow;  // the ACK also announces the reopened window
  mark_output(*t);
}

void Tcp::abort(ConnId id) {
  Tcb* t = from_id(id);
  if (t == nullptr) return;
  // RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST> (with the ACK, as common stacks do).
  if (t->state != TcpState::kClosed) send_segment(*t, t->snd_nxt, kTcpRst | kTcpAck, nullptr, 0);
  t->flags &= static_cast<uint16_t>(~kTcbAppOwned);
  free_tcb(*t);
}

void Tcp::set_timeout(ConnId id, uint64_t deadline_ns) {
  Tcb* t = from_id(id);
  if (t == nullptr) return;
  set_app_timer(*t, deadline_ns);
}

TcpState Tcp::state(ConnId id) const {
  const Tcb* t = from_id(id);
  return t ? t->state : TcpState::kClosed;
}

}  // namespace gnet
