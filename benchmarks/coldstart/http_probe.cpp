#include "http_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "netlab.h"

namespace coldstart {

HttpProbe::HttpProbe(uint32_t src_ip, uint32_t dst_ip, uint16_t port, std::string path)
    : src_ip_(src_ip), dst_ip_(dst_ip), port_(port) {
  request_ = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: vmm-coldstart\r\nAccept: */*\r\n\r\n", path,
                         Addressing::ip_text(dst_ip));
}

uint32_t HttpProbe::events() const {
  return state_ == State::Connecting ? EPOLLOUT : state_ == State::Receiving ? EPOLLIN | EPOLLRDHUP : 0;
}

vmm::Result<void> HttpProbe::start() {
  received_.clear();
  header_end_ = 0;
  content_length_ = -1;
  return connect_once();
}

vmm::Result<void> HttpProbe::connect_once() {
  sock_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!sock_) return vmm::Error::from_errno("client socket");
  const int one = 1;
  // Pick the port at connect(): every instance has its own address, so ports can repeat.
  ::setsockopt(sock_.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  ::setsockopt(sock_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  src.sin_addr.s_addr = htonl(src_ip_);
  if (::bind(sock_.get(), reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
    return vmm::Error::from_errno(fmt::format("binding the client to {}", Addressing::ip_text(src_ip_)));
  }
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port_);
  dst.sin_addr.s_addr = htonl(dst_ip_);
  if (::connect(sock_.get(), reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0 && errno != EINPROGRESS) {
    return vmm::Error::from_errno(fmt::format("connect to {}:{}", Addressing::ip_text(dst_ip_), port_));
  }
  state_ = State::Connecting;
  return {};
}

void HttpProbe::add_retransmits() {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (sock_ && ::getsockopt(sock_.get(), IPPROTO_TCP, TCP_INFO, &info, &len) == 0) {
    result_.retransmits += info.tcpi_total_retrans;
  }
}

void HttpProbe::finish(State state, const std::string& error) {
  add_retransmits();
  sock_.reset();
  state_ = state;
  if (state == State::Failed && result_.error.empty()) result_.error = error;
}

void HttpProbe::fail(const std::string& why) {
  if (!done()) finish(State::Failed, why);
}

HttpProbe::Change HttpProbe::on_ready(uint32_t events, int64_t now) {
  if (state_ == State::Connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return on_connected(now);
  if (state_ == State::Receiving && (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))) return on_readable(now);
  return Change::None;
}

// An RST instead of an answer: a new socket and connect() at once.
HttpProbe::Change HttpProbe::retry() {
  ++result_.rst_retries;
  add_retransmits();
  if (auto r = connect_once(); !r) {
    finish(State::Failed, r.error().message());
    return Change::Events;
  }
  return Change::Socket;
}

HttpProbe::Change HttpProbe::redial() {
  if (state_ != State::Connecting) return Change::None;
  ++result_.redials;
  add_retransmits();
  if (auto r = connect_once(); !r) {
    finish(State::Failed, r.error().message());
    return Change::Events;
  }
  return Change::Socket;
}

HttpProbe::Change HttpProbe::on_connected(int64_t now) {
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(sock_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err == ECONNREFUSED) return retry();  // the guest is up but not listening yet
  if (err != 0) {
    finish(State::Failed, fmt::format("connect: {}", std::strerror(err)));
    return Change::Events;
  }
  result_.connected_ns = now;
  // The request is far smaller than a fresh socket's send buffer: one send() takes it all.
  const ssize_t n = ::send(sock_.get(), request_.data(), request_.size(), MSG_NOSIGNAL);
  if (n != static_cast<ssize_t>(request_.size())) {
    finish(State::Failed, fmt::format("sending the request: {}", n < 0 ? std::strerror(errno) : "short write"));
    return Change::Events;
  }
  state_ = State::Receiving;
  return Change::Events;
}

HttpProbe::Change HttpProbe::on_readable(int64_t now) {
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(sock_.get(), buf, sizeof buf, 0);
    if (n > 0) {
      if (result_.first_byte_ns == 0) result_.first_byte_ns = now;
      received_.append(buf, static_cast<size_t>(n));
      if (parse_response()) {
        finish(result_.status_code == 200 ? State::Done : State::Failed,
               fmt::format("HTTP status {}", result_.status_code));
        return Change::Events;
      }
      continue;
    }
    if (n == 0) {  // EOF: complete only when the length was not given
      const bool complete = header_end_ > 0 && content_length_ < 0 && result_.status_code == 200;
      finish(complete ? State::Done : State::Failed,
             received_.empty() ? "connection closed before a response" : "connection closed mid-response");
      return Change::Events;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return Change::None;
    if (errno == ECONNRESET && received_.empty()) return retry();  // reset before answering
    finish(State::Failed, fmt::format("recv: {}", std::strerror(errno)));
    return Change::Events;
  }
}

// True once the whole response is in (headers, and Content-Length bytes of body).
bool HttpProbe::parse_response() {
  if (header_end_ == 0) {
    const size_t end = received_.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    header_end_ = end + 4;
    int code = 0;
    if (std::sscanf(received_.c_str(), "HTTP/1.%*d %d", &code) == 1) result_.status_code = code;
    std::string lower = received_.substr(0, header_end_);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t cl = lower.find("\r\ncontent-length:");
    if (cl != std::string::npos) content_length_ = std::strtoll(lower.c_str() + cl + 17, nullptr, 10);
    if (result_.status_code != 200) return true;
  }
  return content_length_ >= 0 && received_.size() - header_end_ >= static_cast<size_t>(content_length_);
}

}  // namespace coldstart
