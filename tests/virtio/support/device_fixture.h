// Helpers for device tests: a temporary disk image, a register-level driver handle and a
// blk device wired to a fake guest.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fake_guest.h"
#include "virtio/blk_device.h"
#include "virtio/virtio_device.h"

namespace vmm::virtio::test {

// A file in $TMPDIR removed on destruction.
class TempFile {
 public:
  explicit TempFile(const std::vector<uint8_t>& content);
  ~TempFile();
  const std::string& path() const { return path_; }
  std::vector<uint8_t> read() const;

 private:
  std::string path_;
};

// `sectors` sectors where byte j of sector s is (s * 7 + j) & 0xff.
std::vector<uint8_t> patterned_disk(uint64_t sectors);

// Register accesses the way a driver makes them (4.2.2).
struct Mmio {
  VirtioDevice& dev;
  uint32_t read(uint64_t offset) const;
  void write(uint64_t offset, uint32_t value) const;
  uint8_t read8(uint64_t offset) const;
  uint16_t read16(uint64_t offset) const;
  void write8(uint64_t offset, uint8_t value) const;
  // The 64-bit feature words through the selectors.
  uint64_t device_features() const;
  void driver_features(uint64_t features) const;
  // QueueSel, QueueNum and the three ring addresses of `layout`, then QueueReady = 1.
  void setup_queue(uint32_t q, const Virtqueue::Layout& layout) const;
};

// A virtio-blk device on a patterned 64-sector image and a driver queue in fake RAM.
struct BlkFixture {
  explicit BlkFixture(bool read_only = false, uint64_t sectors = 64);
  // Preconfigures the device (as libvmm does for lean guests) with `features`.
  void activate(uint64_t features);
  // A request: header (readable), data, status (writable); returns the head.
  uint16_t request(uint32_t type, uint64_t sector, uint32_t data_len, uint64_t* data_gpa, uint64_t* status_gpa);

  FakeRam ram{1 << 20};
  TempFile file;
  std::shared_ptr<BlkDevice> dev;
  DriverQueue q{ram, 0x1000, 16};
};

}  // namespace vmm::virtio::test
