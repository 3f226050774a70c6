// A NetDevice for host tests and fuzzers: frames to deliver wait in an inbox, frames the
// stack sends are kept (or only counted), and the device can be made to refuse sends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "drivers/net_device.h"
#include "net/addr.h"

namespace nettest {

using Frame = std::vector<uint8_t>;

class FakeDevice final : public gnet::NetDevice {
 public:
  explicit FakeDevice(gnet::MacAddr mac = gnet::MacAddr{{0x02, 0, 0, 0, 0, 0x02}}, size_t mtu = 1500)
      : mac_(mac), mtu_(mtu) {}

  void mac(uint8_t out[6]) const override;
  size_t mtu() const override { return mtu_; }
  bool send(const gnet::Slice* pieces, size_t count) override;
  void flush() override { ++flushes; }
  size_t receive(gnet::FrameSink& sink, size_t budget) override;

  std::deque<Frame> inbox;   // delivered by receive()
  std::vector<Frame> sent;   // in send order (when keep_sent)
  bool keep_sent = true;
  bool refuse_sends = false; // simulate a full TX ring
  size_t sent_count = 0;
  size_t flushes = 0;

 private:
  gnet::MacAddr mac_;
  size_t mtu_;
};

}  // namespace nettest
