// One HTTP GET against one instance, driven by the caller's epoll: a non-blocking connect()
// from the host address (its SYN waits in the tap until the guest reads it), an immediate
// retry when the guest answers RST (not listening yet), the request once connected, and the
// CLOCK_MONOTONIC time at which the first byte of the response arrived. The host closes
// first once the whole response is in, so TIME_WAIT stays on the host and an idle guest
// keeps no timers. No busy polling: the caller waits for readiness.
#pragma once

#include <cstdint>
#include <string>

#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace coldstart {

struct ProbeResult {
  int64_t connected_ns = 0;   // connect() completed
  int64_t first_byte_ns = 0;  // first response byte read
  int status_code = 0;        // from the status line
  uint32_t rst_retries = 0;   // connections refused (RST) and retried at once
  uint32_t redials = 0;       // unanswered SYNs replaced by a new connect() (redial())
  uint32_t retransmits = 0;   // TCP_INFO tcpi_total_retrans, summed over every socket
  std::string error;          // empty: a complete response was read
};

class HttpProbe {
 public:
  HttpProbe(uint32_t src_ip, uint32_t dst_ip, uint16_t port, std::string path);

  // Opens the socket and issues connect(); the caller then watches fd() for events().
  vmm::Result<void> start();
  int fd() const { return sock_.get(); }
  uint32_t events() const;

  enum class Change { None, Events, Socket };
  // Handles readiness reported at `now`. Socket: fd() is a new socket (an RST retry):
  // remove the old fd from epoll (already closed) and add the new one.
  Change on_ready(uint32_t events, int64_t now);
  // Replaces a connection still waiting for its SYN to be answered by a new socket and
  // connect(): Socket when it did (see on_ready), None when there was nothing to redial.
  Change redial();
  // Gives up (deadline): records `why` and closes.
  void fail(const std::string& why);

  bool done() const { return state_ == State::Done || state_ == State::Failed; }
  bool ok() const { return state_ == State::Done; }
  const ProbeResult& result() const { return result_; }

 private:
  enum class State { Idle, Connecting, Receiving, Done, Failed };
  vmm::Result<void> connect_once();
  Change retry();
  Change on_connected(int64_t now);
  Change on_readable(int64_t now);
  bool parse_response();
  void finish(State state, const std::string& error);
  void add_retransmits();

  uint32_t src_ip_, dst_ip_;
  uint16_t port_;
  std::string request_;
  vmm::UniqueFd sock_;
  State state_ = State::Idle;
  std::string received_;
  size_t header_end_ = 0;   // offset of the body, once the headers are in
  int64_t content_length_ = -1;
  ProbeResult result_;
};

}  // namespace coldstart
