// gnet::NetDevice on an AF_PACKET socket bound to an interface: sending transmits a frame
// on the interface (to whoever holds it: e.g. a VMM's tap fd), receiving returns the
// frames that interface received. Used by tap_bridge to stand between a guest's tap and
// the host's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/net_device.h"

namespace nettest {

class PacketDevice final : public gnet::NetDevice {
 public:
  static PacketDevice* open(const std::string& interface, std::string* error);
  ~PacketDevice() override;
  PacketDevice(const PacketDevice&) = delete;
  PacketDevice& operator=(const PacketDevice&) = delete;

  void mac(uint8_t out[6]) const override;
  size_t mtu() const override { return 1500; }
  bool send(const gnet::Slice* pieces, size_t count) override;
  void flush() override {}
  size_t receive(gnet::FrameSink& sink, size_t budget) override;
  int fd() const { return fd_; }

 private:
  PacketDevice(int fd, int ifindex) : fd_(fd), ifindex_(ifindex) {}
  int fd_;
  int ifindex_;
  uint8_t frame_[65536];
};

}  // namespace nettest
