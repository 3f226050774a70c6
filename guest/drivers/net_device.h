// The interface between a NIC driver (virtio-net, or a host-side fake in tests) and the
// guest network stack. Frames are Ethernet frames without FCS; the driver adds and strips
// any device header (e.g. the 12-byte virtio-net header) itself.
//
// Batching contract (every exit costs ~20 us on our hosts): send() only queues; flush()
// makes everything queued visible to the device with at most one notification; receive()
// hands over frames already in the rx ring without exiting.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace gnet {

struct Slice {
  const void* data;
  size_t length;
};

class FrameSink {
 public:
  virtual void on_frame(const uint8_t* frame, size_t length) = 0;

 protected:
  ~FrameSink() = default;
};

class NetDevice {
 public:
  virtual ~NetDevice() = default;
  virtual void mac(uint8_t out[6]) const = 0;
  // Largest frame payload (IP packet) the device carries: 1500 unless negotiated otherwise.
  virtual size_t mtu() const = 0;
  // Queues one frame made of `count` pieces (copied by the driver). false: no room now
  // (the caller keeps the data and retries after receive()/flush()).
  virtual bool send(const Slice* pieces, size_t count) = 0;
  // Publishes queued frames to the device; one notification at most.
  virtual void flush() = 0;
  // Delivers up to `budget` received frames to `sink`, recycling their buffers; returns
  // how many were delivered. The frame memory is valid only during on_frame().
  virtual size_t receive(FrameSink& sink, size_t budget) = 0;
};

}  // namespace gnet
