// Constants of the virtio 1.2 specification used by the device side: device status
// (2.1), feature bits (6, 5.1.3, 5.2.3), split virtqueue layout (2.7), virtio-mmio
// registers (4.2.2), virtio-net (5.1) and virtio-blk (5.2). Names follow the spec.
#pragma once

#include <cstdint>

namespace vmm::virtio {

// ---- 2.1 Device Status Field -------------------------------------------------------------
inline constexpr uint32_t kStatusAcknowledge = 1;
inline constexpr uint32_t kStatusDriver = 2;
inline constexpr uint32_t kStatusDriverOk = 4;
inline constexpr uint32_t kStatusFeaturesOk = 8;
inline constexpr uint32_t kStatusDeviceNeedsReset = 64;
inline constexpr uint32_t kStatusFailed = 128;

// ---- 6 Reserved Feature Bits ---------------------------------------------------------------
inline constexpr uint64_t bit(unsigned n) { return uint64_t{1} << n; }
inline constexpr unsigned kFRingIndirectDesc = 28;
inline constexpr unsigned kFRingEventIdx = 29;
inline constexpr unsigned kFVersion1 = 32;
inline constexpr unsigned kFAccessPlatform = 33;

// ---- 2.7 Split Virtqueues ------------------------------------------------------------------
inline constexpr uint16_t kDescFNext = 1;
inline constexpr uint16_t kDescFWrite = 2;
inline constexpr uint16_t kDescFIndirect = 4;
inline constexpr uint16_t kAvailFNoInterrupt = 1;
inline constexpr uint16_t kUsedFNoNotify = 1;
inline constexpr uint16_t kMaxQueueSize = 32768;  // 2.7: Queue Size is at most 32768

struct VirtqDesc {  // 2.7.5
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(VirtqDesc) == 16);

struct VirtqUsedElem {  // 2.7.8
  uint32_t id;
  uint32_t len;
};
static_assert(sizeof(VirtqUsedElem) == 8);

// Sizes and alignments of the three parts (2.7, table "Virtqueue Part Alignment").
inline constexpr uint64_t kDescAlign = 16;
inline constexpr uint64_t kAvailAlign = 2;
inline constexpr uint64_t kUsedAlign = 4;
inline constexpr uint64_t desc_table_bytes(uint64_t size) { return 16 * size; }
inline constexpr uint64_t avail_ring_bytes(uint64_t size) { return 6 + 2 * size; }  // flags, idx, ring, used_event
inline constexpr uint64_t used_ring_bytes(uint64_t size) { return 6 + 8 * size; }   // flags, idx, ring, avail_event

// 2.7.10: true when the other side asked to be notified for an index move old -> now.
inline constexpr bool vring_need_event(uint16_t event, uint16_t now, uint16_t old) {
  return static_cast<uint16_t>(now - event - 1) < static_cast<uint16_t>(now - old);
}

// ---- 4.2.2 MMIO Device Register Layout -----------------------------------------------------
namespace mmio {
inline constexpr uint32_t kMagic = 0x74726976;  // "virt"
inline constexpr uint32_t kVersion = 2;         // modern (virtio 1.x) devices only
inline constexpr uint32_t kVendorId = 0x4d4d5621;  // "!VMM"
inline constexpr uint64_t kMagicValue = 0x000;
inline constexpr uint64_t kVersionReg = 0x004;
inline constexpr uint64_t kDeviceId = 0x008;
inline constexpr uint64_t kVendorIdReg = 0x00c;
inline constexpr uint64_t kDeviceFeatures = 0x010;
inline constexpr uint64_t kDeviceFeaturesSel = 0x014;
inline constexpr uint64_t kDriverFeatures = 0x020;
inline constexpr uint64_t kDriverFeaturesSel = 0x024;
inline constexpr uint64_t kQueueSel = 0x030;
inline constexpr uint64_t kQueueNumMax = 0x034;
inline constexpr uint64_t kQueueNum = 0x038;
inline constexpr uint64_t kQueueReady = 0x044;
inline constexpr uint64_t kQueueNotify = 0x050;
inline constexpr uint64_t kInterruptStatus = 0x060;
inline constexpr uint64_t kInterruptAck = 0x064;
inline constexpr uint64_t kStatus = 0x070;
inline constexpr uint64_t kQueueDescLow = 0x080;
inline constexpr uint64_t kQueueDescHigh = 0x084;
inline constexpr uint64_t kQueueDriverLow = 0x090;
inline constexpr uint64_t kQueueDriverHigh = 0x094;
inline constexpr uint64_t kQueueDeviceLow = 0x0a0;
inline constexpr uint64_t kQueueDeviceHigh = 0x0a4;
inline constexpr uint64_t kShmSel = 0x0ac;
inline constexpr uint64_t kShmLenLow = 0x0b0;
inline constexpr uint64_t kShmLenHigh = 0x0b4;
inline constexpr uint64_t kShmBaseLow = 0x0b8;
inline constexpr uint64_t kShmBaseHigh = 0x0bc;
inline constexpr uint64_t kQueueReset = 0x0c0;
inline constexpr uint64_t kConfigGeneration = 0x0fc;
inline constexpr uint64_t kConfig = 0x100;
inline constexpr uint64_t kWindowSize = 0x1000;
inline constexpr uint32_t kInterruptVring = 1;   // used buffer notification
inline constexpr uint32_t kInterruptConfig = 2;  // configuration change notification
}  // namespace mmio

// ---- 5 Device Types ------------------------------------------------------------------------
inline constexpr uint32_t kIdNet = 1;
inline constexpr uint32_t kIdBlock = 2;

// ---- 5.1 Network Device --------------------------------------------------------------------
namespace net {
inline constexpr unsigned kFCsum = 0;
inline constexpr unsigned kFGuestCsum = 1;
inline constexpr unsigned kFMtu = 3;
inline constexpr unsigned kFMac = 5;
inline constexpr unsigned kFGuestTso4 = 7;
inline constexpr unsigned kFGuestTso6 = 8;
inline constexpr unsigned kFGuestEcn = 9;
inline constexpr unsigned kFGuestUfo = 10;
inline constexpr unsigned kFHostTso4 = 11;
inline constexpr unsigned kFHostTso6 = 12;
inline constexpr unsigned kFHostEcn = 13;
inline constexpr unsigned kFHostUfo = 14;
inline constexpr unsigned kFMrgRxbuf = 15;
inline constexpr unsigned kFStatus = 16;
inline constexpr uint16_t kStatusLinkUp = 1;
inline constexpr uint16_t kRxQueue = 0;
inline constexpr uint16_t kTxQueue = 1;
inline constexpr uint8_t kHdrFNeedsCsum = 1;
inline constexpr uint8_t kHdrFDataValid = 2;

struct Header {  // 5.1.6 struct virtio_net_hdr (VIRTIO_F_VERSION_1: always with num_buffers)
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len;
  uint16_t gso_size;
  uint16_t csum_start;
  uint16_t csum_offset;
  uint16_t num_buffers;
};
static_assert(sizeof(Header) == 12);

struct Config {  // 5.1.4, the fields up to mtu
  uint8_t mac[6];
  uint16_t status;
  uint16_t max_virtqueue_pairs;
  uint16_t mtu;
};
static_assert(sizeof(Config) == 12);
}  // namespace net

// ---- 5.2 Block Device ----------------------------------------------------------------------
namespace blk {
inline constexpr unsigned kFSizeMax = 1;
inline constexpr unsigned kFSegMax = 2;
inline constexpr unsigned kFRo = 5;
inline constexpr unsigned kFBlkSize = 6;
inline constexpr unsigned kFFlush = 9;
inline constexpr uint32_t kTIn = 0;
inline constexpr uint32_t kTOut = 1;
inline constexpr uint32_t kTFlush = 4;
inline constexpr uint32_t kTGetId = 8;
inline constexpr uint8_t kSOk = 0;
inline constexpr uint8_t kSIoErr = 1;
inline constexpr uint8_t kSUnsupp = 2;
inline constexpr uint64_t kSectorSize = 512;
inline constexpr uint32_t kIdBytes = 20;

struct RequestHeader {  // 5.2.6 struct virtio_blk_req, the device-readable head
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};
static_assert(sizeof(RequestHeader) == 16);

#pragma pack(push, 1)
struct Config {  // 5.2.4, the fields up to blk_size
  uint64_t capacity;
  uint32_t size_max;
  uint32_t seg_max;
  uint16_t cylinders;
  uint8_t heads;
  uint8_t sectors;
  uint32_t blk_size;
};
#pragma pack(pop)
static_assert(sizeof(Config) == 24);
}  // namespace blk

}  // namespace vmm::virtio
