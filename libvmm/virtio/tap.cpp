#include "virtio/tap.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "virtio/virtio_spec.h"

namespace vmm::virtio {
namespace {
constexpr int kVnetHeaderSize = sizeof(net::Header);  // 12: virtio 1.x header, 5.1.6
}  // namespace

Result<void> Tap::prepare(int fd, const std::string& name) {
  int size = kVnetHeaderSize;
  if (::ioctl(fd, TUNSETVNETHDRSZ, &size) < 0) return Error::from_errno(fmt::format("tap {}: TUNSETVNETHDRSZ 12", name));
  if (::ioctl(fd, TUNSETOFFLOAD, 0u) < 0) return Error::from_errno(fmt::format("tap {}: TUNSETOFFLOAD 0", name));
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return Error::from_errno(fmt::format("tap {}: setting O_NONBLOCK", name));
  }
  return {};
}

Result<Tap> Tap::open(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return Error(fmt::format("tap name \"{}\" must have 1 to {} characters", name, IFNAMSIZ - 1));
  }
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return Error::from_errno(fmt::format("tap {}: opening /dev/net/tun", name));
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) < 0) return Error::from_errno(fmt::format("tap {}: TUNSETIFF", name));
  VMM_TRY(prepare(fd.get(), name));
  return Tap(std::move(fd), name, true);
}

Result<Tap> Tap::adopt(int caller_fd) {
  const std::string label = fmt::format("fd {}", caller_fd);
  ifreq ifr{};
  if (::ioctl(caller_fd, TUNGETIFF, &ifr) < 0) return Error::from_errno(fmt::format("tap {}: TUNGETIFF (not a tap?)", label));
  const int needed = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  if ((ifr.ifr_flags & needed) != needed) {
    return Error(fmt::format("tap {} ({}): flags {:#x} lack IFF_TAP | IFF_NO_PI | IFF_VNET_HDR", label,
                             ifr.ifr_name, static_cast<unsigned>(ifr.ifr_flags)));
  }
  UniqueFd fd(::fcntl(caller_fd, F_DUPFD_CLOEXEC, 0));
  if (!fd) return Error::from_errno(fmt::format("tap {}: dup", label));
  const std::string name = ifr.ifr_name;
  VMM_TRY(prepare(fd.get(), name));
  return Tap(std::move(fd), name, true);
}

Tap Tap::from_datagram_fd(UniqueFd fd, std::string name) { return Tap(std::move(fd), std::move(name), false); }

Result<void> Tap::set_offloads(unsigned tun_flags) {
  if (!is_tap_ || offloads_ == int64_t{tun_flags}) return {};
  if (::ioctl(fd_.get(), TUNSETOFFLOAD, tun_flags) < 0) {
    return Error::from_errno(fmt::format("tap {}: TUNSETOFFLOAD {:#x}", name_, tun_flags));
  }
  offloads_ = tun_flags;
  return {};
}

}  // namespace vmm::virtio
