// A poll-mode virtio-blk driver (virtio 1.2 section 5.2) for our guests. Requests are
// posted in batches: one notification carries up to slots() requests, which a libvmm
// lean device completes before the notification returns.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "virtio/transport.h"

namespace vdrv {

inline constexpr uint32_t kBlkIn = 0, kBlkOut = 1, kBlkFlush = 4, kBlkGetId = 8;
inline constexpr uint8_t kBlkOk = 0, kBlkIoErr = 1, kBlkUnsupp = 2;
inline constexpr uint8_t kBlkPending = 0xff;  // status before the device answered

struct BlkIo {
  uint32_t type = kBlkIn;
  uint64_t sector = 0;
  void* data = nullptr;  // identity-mapped guest memory
  uint32_t length = 0;   // bytes: a multiple of 512 for IN/OUT, 20 for GET_ID
  uint8_t status = kBlkPending;
};

class Blk {
 public:
  // Opens boot-table device `index` (a virtio-blk). nullptr on failure, with `error` set.
  static Blk* open(uint32_t index, bool use_registers, const char** error);
  // The first virtio-blk of the boot device table, preconfigured path.
  static Blk* open_first(const char** error);

  uint64_t capacity() const { return capacity_; }  // 512-byte sectors
  bool read_only() const { return read_only_; }
  bool has_flush() const { return transport_.has(9); }
  size_t slots() const { return slots_; }

  // Submits the requests (in chunks of slots()) with one notification per chunk and
  // polls until each has completed; returns how many completed with kBlkOk.
  size_t run(BlkIo* ios, size_t count);
  uint8_t read(uint64_t sector, void* data, uint32_t length);
  uint8_t write(uint64_t sector, const void* data, uint32_t length);
  uint8_t flush();
  uint8_t get_id(char out[20]);

 private:
  struct Slot {  // one request: header (device-readable) and status (device-writable)
    uint32_t type, reserved;
    uint64_t sector;
    uint8_t status;
    BlkIo* io;
  };
  uint8_t one(uint32_t type, uint64_t sector, void* data, uint32_t length);

  Transport transport_;
  Slot* slots_mem_ = nullptr;
  size_t slots_ = 0;
  uint64_t capacity_ = 0;
  bool read_only_ = false;
};

}  // namespace vdrv
