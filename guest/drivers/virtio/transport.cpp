#include "virtio/transport.h"

#include "rt/boot.h"
#include "rt/heap.h"
#include "rt/hypercall.h"
#include "rt/string.h"

namespace vdrv {
namespace {

// 4.2.2 register offsets and 2.1 status bits.
constexpr uint32_t kMagic = 0x000, kVersion = 0x004, kDeviceId = 0x008, kDeviceFeatures = 0x010,
                   kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024, kQueueSel = 0x030,
                   kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueReady = 0x044, kQueueNotify = 0x050,
                   kStatus = 0x070, kQueueDescLow = 0x080, kQueueDescHigh = 0x084, kQueueDriverLow = 0x090,
                   kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0, kQueueDeviceHigh = 0x0a4, kConfig = 0x100;
constexpr uint32_t kAck = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8;

void* zalloc(size_t bytes) { return calloc(1, bytes); }  // 16-byte aligned: enough for every ring part

// Queues a device type has (virtio 1.2 sections 5.1.2, 5.2.2), for device tables that do
// not say (the PVH path finds devices on the command line).
uint16_t default_queue_count(uint32_t virtio_id) { return virtio_id == 1 ? 2 : 1; }

}  // namespace

int find_device(uint32_t virtio_id) {
  for (uint32_t i = 0; i < rt::device_count(); ++i) {
    if (rt::device(i)->virtio_id == virtio_id) return static_cast<int>(i);
  }
  return -1;
}

uint32_t Transport::reg(uint32_t offset) const { return *reinterpret_cast<volatile uint32_t*>(mmio_ + offset); }
void Transport::set_reg(uint32_t offset, uint32_t value) { *reinterpret_cast<volatile uint32_t*>(mmio_ + offset) = value; }

bool Transport::open(uint32_t index, uint64_t wanted, bool use_registers) {
  const vmm_boot_device* d = rt::device(index);
  if (d == nullptr) return fail("no such device in the boot device table");
  index_ = static_cast<int32_t>(index);
  mmio_ = d->mmio_base;
  if (!(d->flags & VMM_DEVICE_PRECONFIGURED) || use_registers) {
    const auto queues = static_cast<uint16_t>(d->queue_count ? d->queue_count : default_queue_count(d->virtio_id));
    return init_registers(d->virtio_id, wanted, queues);
  }
  if (d->queue_count > kMaxQueues) return fail("device has more queues than the driver handles");
  preconfigured_ = true;
  features_ = d->features;
  memcpy(config_, d->config, sizeof config_);
  for (uint32_t q = 0; q < d->queue_count; ++q) {
    const vmm_boot_queue& bq = d->queues[q];
    rings_[q].init(bq.size, bq.desc, bq.avail, bq.used, has(kFEventIdx));
  }
  return true;
}

bool Transport::open_mmio(uint64_t mmio_base, uint32_t virtio_id, uint64_t wanted, uint16_t queues) {
  mmio_ = mmio_base;
  index_ = -1;
  return init_registers(virtio_id, wanted, queues);
}

bool Transport::init_registers(uint32_t virtio_id, uint64_t wanted, uint16_t queues) {
  if (reg(kMagic) != 0x74726976 || reg(kVersion) != 2) return fail("not a virtio-mmio version 2 device");
  if (reg(kDeviceId) != virtio_id) return fail("unexpected device id");
  if (queues > kMaxQueues) return fail("device has more queues than the driver handles");
  // 3.1.1: reset, then ACKNOWLEDGE and DRIVER.
  set_reg(kStatus, 0);
  while (reg(kStatus) != 0) {
  }
  set_reg(kStatus, kAck);
  set_reg(kStatus, kAck | kDriver);
  set_reg(kDeviceFeaturesSel, 1);
  uint64_t offered = uint64_t{reg(kDeviceFeatures)} << 32;
  set_reg(kDeviceFeaturesSel, 0);
  offered |= reg(kDeviceFeatures);
  if (!((offered >> kFVersion1) & 1)) return fail("device does not offer VIRTIO_F_VERSION_1");
  features_ = offered & (wanted | (uint64_t{1} << kFVersion1));
  set_reg(kDriverFeaturesSel, 1);
  set_reg(kDriverFeatures, static_cast<uint32_t>(features_ >> 32));
  set_reg(kDriverFeaturesSel, 0);
  set_reg(kDriverFeatures, static_cast<uint32_t>(features_));
  set_reg(kStatus, kAck | kDriver | kFeaturesOk);
  if (!(reg(kStatus) & kFeaturesOk)) return fail("device refused our features");
  for (uint16_t q = 0; q < queues; ++q) {
    set_reg(kQueueSel, q);
    if (reg(kQueueReady) != 0) return fail("queue already ready after reset");
    uint32_t max = reg(kQueueNumMax);
    if (max == 0) return fail("queue not available");
    const uint16_t size = static_cast<uint16_t>(max < kMaxQueueSize ? max : kMaxQueueSize);
    auto* desc = zalloc(16u * size);
    auto* avail = zalloc(6u + 2u * size);
    auto* used = zalloc(6u + 8u * size);
    if (!desc || !avail || !used) return fail("out of memory for rings");
    const auto d = reinterpret_cast<uint64_t>(desc), a = reinterpret_cast<uint64_t>(avail),
               u = reinterpret_cast<uint64_t>(used);
    set_reg(kQueueNum, size);
    set_reg(kQueueDescLow, static_cast<uint32_t>(d));
    set_reg(kQueueDescHigh, static_cast<uint32_t>(d >> 32));
    set_reg(kQueueDriverLow, static_cast<uint32_t>(a));
    set_reg(kQueueDriverHigh, static_cast<uint32_t>(a >> 32));
    set_reg(kQueueDeviceLow, static_cast<uint32_t>(u));
    set_reg(kQueueDeviceHigh, static_cast<uint32_t>(u >> 32));
    set_reg(kQueueReady, 1);
    rings_[q].init(size, d, a, u, has(kFEventIdx));
  }
  set_reg(kStatus, kAck | kDriver | kFeaturesOk | kDriverOk);
  return true;
}

void Transport::read_config(uint32_t offset, void* out, size_t length) const {
  if (offset >= sizeof config_) return;
  if (length > sizeof config_ - offset) length = sizeof config_ - offset;
  if (preconfigured_) {
    memcpy(out, config_ + offset, length);
    return;
  }
  // Every MMIO read is an exit: 32-bit reads where aligned (4.2.2.2 allows the field's
  // width; our fields are naturally aligned), bytes for the rest.
  auto* bytes = static_cast<uint8_t*>(out);
  for (size_t i = 0; i < length;) {
    const uint64_t at = mmio_ + kConfig + offset + i;
    if (at % 4 == 0 && length - i >= 4) {
      const uint32_t v = *reinterpret_cast<volatile uint32_t*>(at);
      memcpy(bytes + i, &v, 4);
      i += 4;
    } else {
      bytes[i++] = *reinterpret_cast<volatile uint8_t*>(at);
    }
  }
}

void Transport::notify(uint32_t mask) {
  if (preconfigured_) {
    rt::hc_notify(static_cast<uint32_t>(index_), mask);  // one exit for every queue in mask
    return;
  }
  for (uint32_t q = 0; q < kMaxQueues; ++q) {
    if (mask & (1u << q)) set_reg(kQueueNotify, q);
  }
}

}  // namespace vdrv
