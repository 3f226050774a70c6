// A poll-mode virtio-net driver (virtio 1.2 section 5.1) implementing gnet::NetDevice.
//
// rx: kRxBuffers buffers of 2 KiB (header + frame) are posted once; receive() takes
// frames from the used ring without exits and re-posts their buffers, notifying only
// when the device asked (it does so only after running out of buffers).
// tx: send() copies a frame into one of kTxBuffers buffers; flush() publishes every
// queued frame and notifies at most once, and only if the device wants it (EVENT_IDX).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "drivers/net_device.h"
#include "virtio/transport.h"

namespace vdrv {

class Net final : public gnet::NetDevice {
 public:
  static constexpr uint16_t kRxBuffers = 64;
  static constexpr uint16_t kTxBuffers = 64;
  static constexpr size_t kBufferSize = 2048;
  static constexpr size_t kHeaderSize = 12;  // struct virtio_net_hdr with num_buffers

  // Opens boot-table device `index` (a virtio-net). nullptr on failure, with `error` set.
  static Net* open(uint32_t index, bool use_registers, const char** error);

  void mac(uint8_t out[6]) const override;
  size_t mtu() const override { return 1500; }
  bool send(const gnet::Slice* pieces, size_t count) override;
  void flush() override;
  size_t receive(gnet::FrameSink& sink, size_t budget) override;

  // Frames sent and received since open (for tests and benchmarks).
  uint64_t sent() const { return sent_; }
  uint64_t received() const { return received_; }

 private:
  bool setup();
  void reclaim_tx();
  uint8_t* rx_buffer(uint16_t i) { return rx_mem_ + i * kBufferSize; }
  uint8_t* tx_buffer(uint16_t i) { return tx_mem_ + i * kBufferSize; }

  Transport transport_;
  uint8_t mac_[6] = {};
  uint8_t* rx_mem_ = nullptr;
  uint8_t* tx_mem_ = nullptr;
  uint16_t tx_free_[kTxBuffers] = {};  // stack of free tx buffer (= descriptor) indices
  uint16_t tx_free_count_ = 0;
  bool tx_pending_ = false;  // frames pushed but not published
  uint64_t sent_ = 0, received_ = 0;
};

}  // namespace vdrv

// The first virtio-net device of the boot device table, opened (preconfigured path) and
// ready; nullptr when there is none (the reason is printed on the console). What an
// image's httpd_open_nic() returns.
gnet::NetDevice* virtio_net_open_first();
