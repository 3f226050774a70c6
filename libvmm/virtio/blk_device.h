// virtio-blk (virtio 1.2 section 5.2) on a raw image file.
//
// Requests run to completion on the thread that processes the queue (pread/pwrite on
// the vCPU thread for lean guests, on the I/O thread for standard ones; see
// docs/io-model.md). Durability: FLUSH completes only after fdatasync(); when the driver
// did not negotiate VIRTIO_BLK_F_FLUSH, every write is RWF_DSYNC, so it completes only
// once durable. Malformed or out-of-range requests complete with IOERR/UNSUPP.
#pragma once

#include <sys/uio.h>

#include <memory>
#include <string>
#include <vector>

#include "virtio/blk_request.h"
#include "virtio/virtio_device.h"
#include "vmm/device_config.h"

namespace vmm::virtio {

class BlkDevice final : public VirtioDevice {
 public:
  static constexpr uint16_t kQueueMax = 256;
  static constexpr uint32_t kSegMax = kQueueMax - 2;
  static constexpr uint32_t kSizeMax = 1u << 20;

  // Opens config.path (read-write unless read_only). Errors name the device and the file.
  ~BlkDevice() override { detach_io(); }

  static Result<std::shared_ptr<BlkDevice>> create(std::string name, const DiskConfig& config,
                                                   const GuestMemory& mem);

  uint64_t capacity_sectors() const { return limits_.capacity; }

 protected:
  void process_queue(uint16_t q) override;

 private:
  BlkDevice(std::string name, Identity identity, const GuestMemory& mem, UniqueFd file, BlkLimits limits,
            std::string id);
  // Executes one request; returns the bytes written into the chain (data + status).
  uint32_t execute(const DescriptorChain& chain);
  uint8_t transfer(const DescriptorChain& chain, const BlkRequest& r);

  UniqueFd file_;
  BlkLimits limits_;
  std::string id_;          // GET_ID string, at most 20 bytes
  std::vector<iovec> iov_;  // scratch, reused across requests
};

}  // namespace vmm::virtio
