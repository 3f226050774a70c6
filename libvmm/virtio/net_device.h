// virtio-net (virtio 1.2 section 5.1) on a tap: queue 0 receives, queue 1 transmits.
//
// Receive: frames are read from the (non-blocking) tap into a bounce buffer and copied
// into the guest's rx chains, many per call; num_buffers is filled in by us
// (VIRTIO_NET_F_MRG_RXBUF spreads a large frame over several chains). When the guest has
// no rx buffers left, the device stops reading the tap (frames wait in the tap's queue,
// which drops beyond its length), asks the driver to notify when it adds buffers and
// resumes then: no busy loop, and the VMM stays live.
// Transmit: the header is copied out once and sanitised against the negotiated features,
// the payload goes from guest memory to the tap with one writev per frame.
#pragma once

#include <sys/uio.h>

#include <array>
#include <memory>
#include <vector>

#include "virtio/tap.h"
#include "virtio/virtio_device.h"
#include "vmm/device_config.h"

namespace vmm::virtio {

class NetDevice final : public VirtioDevice {
 public:
  static constexpr uint16_t kQueueMax = 256;
  // Largest frame we read from the tap: a 64 KiB GSO frame plus headers.
  static constexpr size_t kMaxFrame = sizeof(net::Header) + 65536 + 256;
  // Frames moved per call before returning (bounded work per exit or wake).
  static constexpr int kRxBudget = 256;

  // Opens the tap of `config` (by name or by adopting tap_fd).
  ~NetDevice() override { detach_io(); }

  static Result<std::shared_ptr<NetDevice>> create(std::string name, const NetConfig& config,
                                                   const GuestMemory& mem);
  // A device on any tap-like backend (tests: a datagram socketpair).
  static std::shared_ptr<NetDevice> create(std::string name, Tap tap, std::array<uint8_t, 6> mac,
                                           const GuestMemory& mem);

  int host_fd() const override { return tap_.fd(); }
  const Tap& tap() const { return tap_; }

 protected:
  const char* check_features(uint64_t features) const override;
  void process_queue(uint16_t q) override;
  bool process_host() override;
  bool host_work_pending() override;
  void on_driver_ok() override;
  void on_reset() override;

 private:
  NetDevice(std::string name, Identity identity, const GuestMemory& mem, Tap tap);
  enum class Rx { Delivered, Dropped, NoBuffers, Broken };
  Rx deliver(Virtqueue& vq, size_t frame_len);
  uint32_t transmit(const DescriptorChain& chain);
  bool read_frame();

  Tap tap_;
  std::vector<std::byte> bounce_;  // one frame read from the tap, header first
  size_t pending_ = 0;             // bytes of a frame in bounce_ not yet delivered
  bool stalled_ = false;           // no rx buffers: not reading the tap
  DescriptorChain chain_, first_;  // scratch
  std::vector<iovec> iov_;         // scratch
};

}  // namespace vmm::virtio
