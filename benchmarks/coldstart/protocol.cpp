#include "protocol.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace coldstart {
namespace {

struct Header {
  uint32_t type;
  uint32_t length;
};
constexpr size_t kMaxMessage = 64 * 1024;
constexpr uint32_t kMaxString = 16 * 1024;

}  // namespace

Encoder& Encoder::raw(const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  bytes_.insert(bytes_.end(), b, b + n);
  return *this;
}

Encoder& Encoder::str(const std::string& s) {
  const uint32_t n = static_cast<uint32_t>(std::min<size_t>(s.size(), kMaxString));
  u32(n);
  return raw(s.data(), n);
}

bool Decoder::raw(void* p, size_t n) {
  if (!ok_ || bytes_.size() - pos_ < n) {
    ok_ = false;
    std::memset(p, 0, n);
    return false;
  }
  std::memcpy(p, bytes_.data() + pos_, n);
  pos_ += n;
  return true;
}

uint32_t Decoder::u32() {
  uint32_t v;
  raw(&v, sizeof v);
  return v;
}
uint64_t Decoder::u64() {
  uint64_t v;
  raw(&v, sizeof v);
  return v;
}
int64_t Decoder::i64() {
  int64_t v;
  raw(&v, sizeof v);
  return v;
}

std::string Decoder::str() {
  const uint32_t n = u32();
  if (!ok_ || n > kMaxString || bytes_.size() - pos_ < n) {
    ok_ = false;
    return {};
  }
  std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
  pos_ += n;
  return s;
}

vmm::Result<void> Channel::send(MsgType type, const Encoder& payload, int pass_fd) {
  Header h{static_cast<uint32_t>(type), static_cast<uint32_t>(payload.bytes().size())};
  iovec iov[2] = {{&h, sizeof h}, {const_cast<uint8_t*>(payload.bytes().data()), payload.bytes().size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (pass_fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
  }
  ssize_t n;
  do {
    n = ::sendmsg(sock_.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof h + payload.bytes().size())) return vmm::Error::from_errno("worker channel: sendmsg");
  return {};
}

vmm::Result<Message> Channel::recv() {
  // One buffer for the channel's life: a worker shares its address space with its guests,
  // and heap trims (munmap) there notify every VM's KVM MMU notifier.
  std::vector<uint8_t>& buf = buffer_;
  buf.resize(kMaxMessage);
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock_.get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return vmm::Error::from_errno("worker channel: recvmsg");
  Message m;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      m.fd.reset(fd);
    }
  }
  if (n == 0) return vmm::Error("worker channel: peer closed");
  Header h;
  if (static_cast<size_t>(n) < sizeof h || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
    return vmm::Error(fmt::format("worker channel: malformed record ({} bytes)", n));
  }
  std::memcpy(&h, buf.data(), sizeof h);
  if (h.length != static_cast<size_t>(n) - sizeof h) {
    return vmm::Error(fmt::format("worker channel: length {} != {}", h.length, static_cast<size_t>(n) - sizeof h));
  }
  m.type = static_cast<MsgType>(h.type);
  m.payload.assign(buf.begin() + sizeof h, buf.begin() + n);
  return m;
}

void StartMsg::encode(Encoder& e) const {
  e.u32(index).str(cmdline);
  for (uint8_t b : mac) e.u32(b);
}

bool StartMsg::decode(Decoder d) {
  index = d.u32();
  cmdline = d.str();
  for (auto& b : mac) b = static_cast<uint8_t>(d.u32());
  return d.ok();
}

void encode_times(Encoder& e, const vmm::BootTimes& t) {
  e.i64(t.start_called).i64(t.vm_created).i64(t.memory_ready).i64(t.vcpus_created);
  e.i64(t.vcpus_ready).i64(t.first_entry).i64(t.boot_ready).i64(t.exited);
}

vmm::BootTimes decode_times(Decoder& d) {
  vmm::BootTimes t;
  t.start_called = d.i64(), t.vm_created = d.i64(), t.memory_ready = d.i64(), t.vcpus_created = d.i64();
  t.vcpus_ready = d.i64(), t.first_entry = d.i64(), t.boot_ready = d.i64(), t.exited = d.i64();
  return t;
}

void StartedMsg::encode(Encoder& e) const {
  e.u32(index).str(error);
  encode_times(e, times);
}

bool StartedMsg::decode(Decoder d) {
  index = d.u32();
  error = d.str();
  times = decode_times(d);
  return d.ok();
}

void InfoMsg::encode(Encoder& e) const {
  e.u32(index).u32(running).str(exit_message);
  encode_times(e, times);
  e.u64(exits).u64(waits).u64(guest_pages).u64(rx_packets).u64(tx_packets).u64(exits_at_ready).u64(pages_at_ready);
  e.i64(syscalls_in_start).i64(syscalls_to_ready);
}

bool InfoMsg::decode(Decoder d) {
  index = d.u32();
  running = d.u32();
  exit_message = d.str();
  times = decode_times(d);
  exits = d.u64(), waits = d.u64(), guest_pages = d.u64(), rx_packets = d.u64(), tx_packets = d.u64();
  exits_at_ready = d.u64(), pages_at_ready = d.u64();
  syscalls_in_start = d.i64(), syscalls_to_ready = d.i64();
  return d.ok();
}

void QueryEndMsg::encode(Encoder& e) const {
  const ProcCounters& p = process;
  e.i64(p.fds).i64(p.vmas).i64(p.threads).i64(p.rss_kib).i64(p.rss_anon_kib).i64(p.rss_file_kib);
}

bool QueryEndMsg::decode(Decoder d) {
  ProcCounters& p = process;
  p.fds = d.i64(), p.vmas = d.i64(), p.threads = d.i64(), p.rss_kib = d.i64(), p.rss_anon_kib = d.i64(),
  p.rss_file_kib = d.i64();
  return d.ok();
}

}  // namespace coldstart
