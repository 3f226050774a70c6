// A tap interface as the backend of a virtio-net device: opened by name, or adopted from
// an fd the embedder opened (the way an unprivileged embedder works). Frames carry the
// 12-byte virtio-net header (IFF_VNET_HDR, TUNSETVNETHDRSZ 12, virtio 1.2 section 5.1.6).
#pragma once

#include <cstdint>
#include <string>

#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace vmm::virtio {

class Tap {
 public:
  Tap() = default;
  // Attaches to tap `name` (created if absent and permitted) through /dev/net/tun with
  // IFF_TAP | IFF_NO_PI | IFF_VNET_HDR; non-blocking, O_CLOEXEC.
  static Result<Tap> open(const std::string& name);
  // Duplicates the caller's tap fd and checks it is a tap with IFF_NO_PI | IFF_VNET_HDR;
  // sets the header size and O_NONBLOCK (on the open file description both fds share).
  static Result<Tap> adopt(int fd);
  // Any datagram fd carrying header + frame per datagram (a socketpair in tests): no
  // tap ioctls, no offloads.
  static Tap from_datagram_fd(UniqueFd fd, std::string name);

  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }
  // True when TUNSETOFFLOAD works (a real tap): checksum/TSO offloads may be offered.
  bool supports_offloads() const { return is_tap_; }
  // TUNSETOFFLOAD with TUN_F_* flags (what the driver negotiated; 0 turns all off).
  // Skipped when the flags are those this Tap set last.
  Result<void> set_offloads(unsigned tun_flags);

 private:
  Tap(UniqueFd fd, std::string name, bool is_tap) : fd_(std::move(fd)), name_(std::move(name)), is_tap_(is_tap) {}
  static Result<void> prepare(int fd, const std::string& name);

  UniqueFd fd_;
  std::string name_;
  bool is_tap_ = false;
  int64_t offloads_ = -1;  // flags set last; -1: not set by us yet (unknown)
};

}  // namespace vmm::virtio
