// gnet::NetDevice on a Linux TAP interface (IFF_TAP | IFF_NO_PI), for running the guest
// stack in a host process. Sends are queued and written out on flush(), mirroring the
// batching contract of a virtio ring; receive() reads what the kernel has, non-blocking.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/net_device.h"

namespace nettest {

class TapDevice final : public gnet::NetDevice {
 public:
  static constexpr size_t kTxQueueFrames = 256;
  static constexpr size_t kMaxFrame = 1514;

  // Attaches to (or creates) TAP interface `name`. Returns nullptr and sets *error on
  // failure.
  static TapDevice* open(const std::string& name, const uint8_t mac[6], std::string* error);
  ~TapDevice() override;
  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;

  void mac(uint8_t out[6]) const override;
  size_t mtu() const override { return 1500; }
  bool send(const gnet::Slice* pieces, size_t count) override;
  void flush() override;
  size_t receive(gnet::FrameSink& sink, size_t budget) override;

  int fd() const { return fd_; }
  uint64_t tx_errors() const { return tx_errors_; }

 private:
  TapDevice(int fd, const uint8_t mac[6]);

  int fd_;
  uint8_t mac_[6];
  std::vector<uint8_t> tx_;            // kTxQueueFrames slots of kMaxFrame bytes
  size_t tx_lengths_[kTxQueueFrames];  // bytes in each queued slot
  size_t tx_count_ = 0;
  uint64_t tx_errors_ = 0;
  uint8_t rx_[65536];
};

}  // namespace nettest
