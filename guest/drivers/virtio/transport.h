// A virtio-mmio device as our guest drivers see it (virtio 1.2 section 4.2). Two ways in:
//  - preconfigured by libvmm (VMM_DEVICE_PRECONFIGURED in the boot device table): the
//    driver adopts the negotiated features and the placed rings; no register access;
//  - the register path (3.1.1): reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues,
//    DRIVER_OK, through the MMIO window (devices without the flag, QEMU, or on request).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "virtio/ring.h"

namespace vdrv {

inline constexpr uint32_t kIdNet = 1;
inline constexpr uint32_t kIdBlock = 2;
inline constexpr unsigned kFEventIdx = 29;
inline constexpr unsigned kFVersion1 = 32;
inline constexpr uint32_t kMaxQueues = 2;
inline constexpr uint16_t kMaxQueueSize = 256;

// Index in the boot device table of the first device with `virtio_id`, or -1.
int find_device(uint32_t virtio_id);

class Transport {
 public:
  // Opens boot-table device `index`. use_registers forces the register path even for a
  // preconfigured device. wanted: feature bits the driver can use (VERSION_1 is implied).
  bool open(uint32_t index, uint64_t wanted, bool use_registers);
  // The register path on a window found elsewhere (e.g. virtio_mmio.device= under QEMU).
  bool open_mmio(uint64_t mmio_base, uint32_t virtio_id, uint64_t wanted, uint16_t queues);

  uint64_t features() const { return features_; }
  bool has(unsigned feature_bit) const { return (features_ >> feature_bit) & 1; }
  Ring& ring(uint16_t q) { return rings_[q]; }
  bool preconfigured() const { return preconfigured_; }
  // Copies `length` bytes of the device config space at `offset`.
  void read_config(uint32_t offset, void* out, size_t length) const;
  // Tells the device about new buffers on the queues in `mask` (one exit).
  void notify(uint32_t mask);
  // The problem when open() failed.
  const char* error() const { return error_; }

 private:
  bool fail(const char* why) {
    error_ = why;
    return false;
  }
  uint32_t reg(uint32_t offset) const;
  void set_reg(uint32_t offset, uint32_t value);
  bool init_registers(uint32_t virtio_id, uint64_t wanted, uint16_t queues);

  uint64_t mmio_ = 0;
  int32_t index_ = -1;  // boot-table index, -1 when not under libvmm
  bool preconfigured_ = false;
  uint64_t features_ = 0;
  uint8_t config_[64] = {};
  Ring rings_[kMaxQueues];
  const char* error_ = nullptr;
};

}  // namespace vdrv
