#include "server.h"

namespace httpd {

bool HttpServer::start() {
  listener_ = tcp_.listen(config_.port, config_.backlog);
  return listener_ >= 0;
}

HttpServer::Conn* HttpServer::conn_for(gnet::ConnId id) {
  if (!id.valid() || id.slot() >= gnet::kTcpMaxConnections || !(conns_[id.slot()].id == id)) return nullptr;
  return &conns_[id.slot()];
}

void HttpServer::run(uint64_t now_ns) {
  now_ = now_ns;
  for (gnet::ConnId id = tcp_.accept(listener_); id.valid(); id = tcp_.accept(listener_)) {
    ++stats_.connections;
    Conn& c = conns_[id.slot()];
    c = Conn{id, 0, 0, 0};
    handle(c, gnet::kEvReadable);
  }
  uint8_t events;
  for (gnet::ConnId id = tcp_.next_event(&events); id.valid(); id = tcp_.next_event(&events)) {
    if (Conn* c = conn_for(id)) handle(*c, events);
  }
}

void HttpServer::handle(Conn& c, uint8_t events) {
  if (events & gnet::kEvClosed) {
    ++stats_.resets;
    finish(c, true);  // releases the id; the connection is already gone
    return;
  }
  if (events & gnet::kEvTimeout) {
    ++stats_.timeouts;
    // A client that does not read gets a reset (a FIN would wait behind the unsent
    // data forever); an idle or slow one a normal close.
    finish(c, tcp_.send_queued(c.id) == 0);
    return;
  }
  if (serve(c)) arm_timeout(c);
}

bool HttpServer::has_response_space(const Conn& c) const {
  return tcp_.send_copy_space(c.id) >= kMaxResponseHead && tcp_.send_chunks_free(c.id) >= 2;
}

bool HttpServer::serve(Conn& c) {
  for (;;) {
    const uint8_t* data;
    size_t length = tcp_.readable(c.id, &data);
    if (c.body_left > 0) {  // the body of the previous request is discarded
      size_t n = length < c.body_left ? length : static_cast<size_t>(c.body_left);
      tcp_.consume(c.id, n);
      c.body_left -= n;
      if (c.body_left > 0) break;
      continue;
    }
    if (length == 0 || !has_response_space(c)) break;
    Request req;
    ParseResult r = parse_request(data, length, config_.limits, &c.scan_from, &req);
    if (r.status == ParseStatus::kIncomplete) {
      if (c.head_started_ns == 0) c.head_started_ns = now_;
      break;
    }
    ++stats_.requests;
    if (r.status == ParseStatus::kError) {
      // The framing can no longer be trusted: answer and close (RFC 9112 section 2.2).
      send_response(c, r.error, "text/html", nullptr, 0, false, false);
      finish(c, true);
      return false;
    }
    c.scan_from = 0;
    c.head_started_ns = 0;
    c.body_left = req.content_length;
    bool keep_alive = respond(c, req);
    tcp_.consume(c.id, req.head_length);
    if (!keep_alive) {
      finish(c, true);
      return false;
    }
  }
  // RFC 9112 9.6: once the client has closed its side and every complete request is
  // answered, close ours.
  const uint8_t* data;
  if (tcp_.peer_closed(c.id) && (c.body_left > 0 || tcp_.readable(c.id, &data) == 0 || has_response_space(c))) {
    finish(c, true);
    return false;
  }
  return true;
}

bool HttpServer::respond(Conn& c, const Request& req) {
  bool head_only = req.method == Method::kHead;
  if (req.method == Method::kOther) {
    send_response(c, 405, "text/html", nullptr, 0, false, req.keep_alive);
    return req.keep_alive;
  }
  const DocFile* file = nullptr;
  uint16_t status = docroot_.resolve(req.target, req.target_length, &file);
  if (status != 200) {
    // A target we cannot even parse leaves us unsure of the client: close after 400.
    bool keep_alive = req.keep_alive && status != 400;
    send_response(c, status, "text/html", nullptr, 0, head_only, keep_alive);
    return keep_alive;
  }
  send_response(c, 200, content_type_for(file->path), file->data, file->size, head_only, req.keep_alive);
  return req.keep_alive;
}

// Queues head (copied) and body (by reference). Error statuses bring their own page.
void HttpServer::send_response(Conn& c, uint16_t status, const char* type, const uint8_t* body, size_t length,
                               bool head_only, bool keep_alive) {
  if (status != 200) {
    body = reinterpret_cast<const uint8_t*>(error_page(status, &length));
    ++(status < 500 ? stats_.responses_4xx : stats_.responses_5xx);
  } else {
    ++stats_.responses_2xx;
  }
  char head[kMaxResponseHead];
  size_t n = format_response_head(head, ResponseHead{status, type, length, keep_alive, date()});
  tcp_.send_copy(c.id, head, n);  // fits: has_response_space() was checked
  if (!head_only) tcp_.send_ref(c.id, body, length);
}

void HttpServer::finish(Conn& c, bool graceful) {
  if (graceful) {
    tcp_.close(c.id);
  } else {
    tcp_.abort(c.id);
  }
  c.id = gnet::ConnId{};
}

// One deadline per connection, by what we wait for: our data to be taken, the rest of a
// request head, or the next request.
void HttpServer::arm_timeout(Conn& c) {
  const uint8_t* data;
  uint64_t deadline;
  if (tcp_.send_queued(c.id) > 0) {
    deadline = now_ + config_.send_timeout_ns;
  } else if (c.head_started_ns != 0 || c.body_left > 0 || tcp_.readable(c.id, &data) > 0) {
    deadline = (c.head_started_ns ? c.head_started_ns : now_) + config_.header_timeout_ns;
  } else {
    deadline = now_ + config_.keepalive_timeout_ns;
  }
  tcp_.set_timeout(c.id, deadline);
}

const char* HttpServer::date() {
  int64_t second = (wallclock_offset_ns_ + static_cast<int64_t>(now_)) / 1'000'000'000;
  if (second != date_second_) {
    date_second_ = second;
    format_http_date(second, date_);
  }
  return date_;
}

}  // namespace httpd
