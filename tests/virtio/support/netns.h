// A network namespace for KVM network tests, created by the test and always deleted.
// All addresses come from 198.18.0.0/15 and all traffic stays inside the namespace.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "vmm/unique_fd.h"

namespace vmm::virtio::test {

class NetNamespace {
 public:
  // Creates a uniquely named namespace; nullopt (and a message on stderr) on failure.
  static std::optional<NetNamespace> create();
  ~NetNamespace();
  NetNamespace(NetNamespace&& other) noexcept : name_(std::move(other.name_)) { other.name_.clear(); }
  NetNamespace(const NetNamespace&) = delete;

  const std::string& name() const { return name_; }
  // Runs `ip -n <ns> <args>`; true on exit status 0.
  bool ip(const std::string& args) const;
  // Runs `fn` on a thread that has entered the namespace (sockets, taps and instances it
  // creates belong to the namespace) and waits for it.
  void inside(const std::function<void()>& fn) const;
  // Opens tap `tap` (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR) inside the namespace, the way an
  // unprivileged embedder would be handed one. Invalid fd on failure.
  UniqueFd open_tap(const std::string& tap) const;
  // ICMP echo requests to `ip` from inside the namespace, `interval_ms` apart; returns
  // how many were answered within `timeout_ms` of the last one.
  int ping(const std::string& ip, int count, int interval_ms = 100, int timeout_ms = 2000) const;

 private:
  explicit NetNamespace(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

}  // namespace vmm::virtio::test
