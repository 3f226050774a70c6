// Parsing of virtio-blk requests (virtio 1.2 section 5.2.6) from a validated descriptor
// chain. Pure: no I/O, no device state, so it is unit-tested and fuzzed on its own.
#pragma once

#include <cstdint>

#include "virtio/virtqueue.h"

namespace vmm::virtio {

struct BlkLimits {
  uint64_t capacity = 0;     // sectors of 512 bytes
  uint32_t seg_max = 126;    // data segments per request (config seg_max)
  uint32_t size_max = 1u << 20;  // bytes per segment (config size_max)
  bool read_only = false;
  bool flush_negotiated = false;
};

struct BlkRequest {
  uint32_t type = 0;
  uint64_t sector = 0;
  uint64_t data_len = 0;       // data bytes: after the header (OUT) or before the status (IN, GET_ID)
  uint64_t status_offset = 0;  // the status byte: the last device-writable byte
};

struct BlkParse {
  enum Outcome : uint8_t {
    Ok,        // execute `request`
    IoErr,     // complete with VIRTIO_BLK_S_IOERR at request.status_offset
    Unsupp,    // complete with VIRTIO_BLK_S_UNSUPP at request.status_offset
    NoStatus,  // not even a status byte: complete the chain with 0 bytes written
  };
  Outcome outcome = NoStatus;
  BlkRequest request;
  const char* problem = nullptr;  // why it is not Ok (static text)
};

// Validates the header copy, the data area and the limits of one request.
BlkParse parse_blk_request(const DescriptorChain& chain, const BlkLimits& limits);

}  // namespace vmm::virtio
