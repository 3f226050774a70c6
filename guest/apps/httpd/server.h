// The HTTP/1.1 server on top of gnet::Tcp: GET and HEAD of an embedded document root,
// keep-alive, pipelining (requests are answered in order while send space lasts; the
// rest waits in the receive buffer, whose window then closes), and timeouts against idle,
// slow (slowloris) and non-reading clients. Bodies are sent by reference from the
// image, never copied; only response heads are.
#pragma once

#include "docroot.h"
#include "http_parser.h"
#include "http_response.h"
#include "net/event_loop.h"
#include "net/tcp.h"

namespace httpd {

struct HttpConfig {
  uint16_t port = 80;
  uint16_t backlog = 64;
  uint64_t header_timeout_ns = 10'000'000'000;     // a request head must arrive within
  uint64_t keepalive_timeout_ns = 30'000'000'000;  // idle connections are closed after
  uint64_t send_timeout_ns = 30'000'000'000;       // no progress sending: reset
  Limits limits;
};

struct HttpStats {
  uint64_t connections;
  uint64_t requests;
  uint64_t responses_2xx;
  uint64_t responses_4xx;
  uint64_t responses_5xx;
  uint64_t timeouts;
  uint64_t resets;  // connections reset by the peer or given up by TCP
};

class HttpServer final : public gnet::Application {
 public:
  // `wallclock_offset_ns` turns the loop's clock into UNIX time for Date headers.
  HttpServer(gnet::Tcp& tcp, const Docroot& docroot, const HttpConfig& config, int64_t wallclock_offset_ns)
      : tcp_(tcp), docroot_(docroot), config_(config), wallclock_offset_ns_(wallclock_offset_ns) {}

  // Starts listening on config.port; false when the port cannot be used.
  bool start();
  // Accepts new connections and serves those with events.
  void run(uint64_t now_ns) override;
  const HttpStats& stats() const { return stats_; }

 private:
  struct Conn {
    gnet::ConnId id;
    size_t scan_from;          // parser resume point for the request being received
    uint64_t body_left;        // request body bytes still to discard
    uint64_t head_started_ns;  // first byte of the request being received, 0: none
  };

  Conn* conn_for(gnet::ConnId id);
  void handle(Conn& c, uint8_t events);
  // Answers complete requests in order; false when the connection was closed.
  bool serve(Conn& c);
  bool has_response_space(const Conn& c) const;
  // Queues the response to `req`; returns whether the connection stays open.
  bool respond(Conn& c, const Request& req);
  void send_response(Conn& c, uint16_t status, const char* type, const uint8_t* body, size_t length,
                     bool head_only, bool keep_alive);
  void finish(Conn& c, bool graceful);
  void arm_timeout(Conn& c);
  const char* date();

  gnet::Tcp& tcp_;
  const Docroot& docroot_;
  HttpConfig config_;
  int64_t wallclock_offset_ns_;
  int listener_ = -1;
  uint64_t now_ = 0;
  int64_t date_second_ = -1;
  char date_[kHttpDateLength + 1];
  HttpStats stats_ = {};
  Conn conns_[gnet::kTcpMaxConnections];  // indexed by the connection's slot
};

}  // namespace httpd
