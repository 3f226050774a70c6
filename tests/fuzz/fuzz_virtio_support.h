// Shared pieces of the virtio fuzz targets: guest RAM filled from the fuzz input, and a
// minimal device that drains its queues through the real transport and virtqueue code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "virtio/virtio_device.h"
#include "vmm/guest_memory.h"

namespace vmm::virtio::fuzz {

// 64 KiB of guest RAM whose first bytes come from the input (the rest zero).
class InputRam {
 public:
  static constexpr size_t kSize = 64 * 1024;
  InputRam(const uint8_t* data, size_t size) : bytes_(kSize) {
    std::memcpy(bytes_.data(), data, size < kSize ? size : kSize);
  }
  GuestMemory memory() { return GuestMemory(bytes_.data(), bytes_.size()); }

 private:
  std::vector<std::byte> bytes_;
};

// Writes a fixed pattern into every writable buffer and completes every chain.
class EchoDevice final : public VirtioDevice {
 public:
  explicit EchoDevice(const GuestMemory& mem)
      : VirtioDevice("fuzz-device", {2, bit(kFRingEventIdx) | bit(kFRingIndirectDesc), 2, 16, std::vector<uint8_t>(24, 7)},
                     mem) {}
  ~EchoDevice() override { detach_io(); }

 protected:
  void process_queue(uint16_t q) override {
    drain(q, [](const DescriptorChain& chain) {
      uint32_t written = 0;
      for (const Segment& s : chain.segments) {
        if (!s.writable) continue;
        std::memset(s.host, 0xa5, s.len);  // inside guest RAM by construction
        written += s.len;
      }
      return written;
    });
  }
};

}  // namespace vmm::virtio::fuzz
