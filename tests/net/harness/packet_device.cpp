#include "packet_device.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nettest {

PacketDevice* PacketDevice::open(const std::string& interface, std::string* error) {
  const int ifindex = static_cast<int>(if_nametoindex(interface.c_str()));
  if (ifindex == 0) {
    *error = "no interface " + interface;
    return nullptr;
  }
  int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) {
    *error = std::string("socket(AF_PACKET): ") + std::strerror(errno);
    return nullptr;
  }
  // Only frames the interface received: not our own transmissions.
  int one = 1;
  ::setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = ifindex;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    *error = "bind to " + interface + ": " + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  return new PacketDevice(fd, ifindex);
}

PacketDevice::~PacketDevice() { ::close(fd_); }

void PacketDevice::mac(uint8_t out[6]) const { std::memset(out, 0, 6); }  // a wire has none

bool PacketDevice::send(const gnet::Slice* pieces, size_t count) {
  size_t length = 0;
  for (size_t i = 0; i < count && length < sizeof frame_; ++i) {
    const size_t n = std::min(pieces[i].length, sizeof frame_ - length);
    std::memcpy(frame_ + length, pieces[i].data, n);
    length += n;
  }
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = ifindex_;
  to.sll_halen = ETH_ALEN;
  std::memcpy(to.sll_addr, frame_, ETH_ALEN);
  // A full queue loses the frame like a wire would; TCP recovers.
  (void)::sendto(fd_, frame_, length, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  return true;
}

size_t PacketDevice::receive(gnet::FrameSink& sink, size_t budget) {
  size_t n = 0;
  while (n < budget) {
    ssize_t r = ::recv(fd_, frame_, sizeof frame_, 0);
    if (r <= 0) break;
    sink.on_frame(frame_, static_cast<size_t>(r));
    ++n;
  }
  return n;
}

}  // namespace nettest
