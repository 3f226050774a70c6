#include "tap_device.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nettest {

TapDevice* TapDevice::open(const std::string& name, const uint8_t mac[6], std::string* error) {
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *error = std::string("open /dev/net/tun: ") + std::strerror(errno);
    return nullptr;
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    *error = "TUNSETIFF " + name + ": " + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  return new TapDevice(fd, mac);
}

TapDevice::TapDevice(int fd, const uint8_t mac[6]) : fd_(fd), tx_(kTxQueueFrames * kMaxFrame) {
  std::memcpy(mac_, mac, 6);
}

TapDevice::~TapDevice() { ::close(fd_); }

void TapDevice::mac(uint8_t out[6]) const { std::memcpy(out, mac_, 6); }

bool TapDevice::send(const gnet::Slice* pieces, size_t count) {
  if (tx_count_ == kTxQueueFrames) return false;
  uint8_t* slot = tx_.data() + tx_count_ * kMaxFrame;
  size_t length = 0;
  for (size_t i = 0; i < count; ++i) {
    if (length + pieces[i].length > kMaxFrame) {
      ++tx_errors_;  // larger than the MTU allows: the stack never does this
      return true;
    }
    std::memcpy(slot + length, pieces[i].data, pieces[i].length);
    length += pieces[i].length;
  }
  tx_lengths_[tx_count_++] = length;
  return true;
}

void TapDevice::flush() {
  for (size_t i = 0; i < tx_count_; ++i) {
    // A TAP write takes a whole frame or fails; when the kernel queue is full the frame
    // is lost like on a wire, and TCP recovers.
    if (::write(fd_, tx_.data() + i * kMaxFrame, tx_lengths_[i]) < 0) ++tx_errors_;
  }
  tx_count_ = 0;
}

size_t TapDevice::receive(gnet::FrameSink& sink, size_t budget) {
  size_t n = 0;
  while (n < budget) {
    ssize_t r = ::read(fd_, rx_, sizeof rx_);
    if (r <= 0) break;
    sink.on_frame(rx_, static_cast<size_t>(r));
    ++n;
  }
  return n;
}

}  // namespace nettest
