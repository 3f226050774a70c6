// The virtio-mmio register file (virtio 1.2 section 4.2.2) against hostile drivers, and
// replays of the register sequences Linux (drivers/virtio/virtio_mmio.c + virtio.c) and
// Unikraft (drivers/virtio/mmio/virtio_mmio.c + virtio_bus) use to bring a device up.
#include <catch2/catch.hpp>

#include "device_fixture.h"
#include "virtio/virtio_spec.h"

using namespace vmm::virtio;
using namespace vmm::virtio::test;

namespace {

constexpr uint32_t kAck = kStatusAcknowledge, kDrv = kStatusDriver, kFOk = kStatusFeaturesOk,
                   kDOk = kStatusDriverOk;

// ACKNOWLEDGE, DRIVER, features, FEATURES_OK: ready for queue setup.
void negotiate(const Mmio& m, uint64_t features) {
  m.write(mmio::kStatus, 0);
  m.write(mmio::kStatus, kAck);
  m.write(mmio::kStatus, kAck | kDrv);
  m.driver_features(features);
  m.write(mmio::kStatus, kAck | kDrv | kFOk);
}

const uint64_t kV1 = bit(kFVersion1);

}  // namespace

TEST_CASE("IdentityRegisters", "[mmio]") {
  BlkFixture f;
  Mmio m{*f.dev};
  CHECK(m.read(mmio::kMagicValue) == 0x74726976);
  CHECK(m.read(mmio::kVersionReg) == 2);
  CHECK(m.read(mmio::kDeviceId) == kIdBlock);
  CHECK(m.read(mmio::kQueueNumMax) == BlkDevice::kQueueMax);
  CHECK((m.device_features() & kV1) != 0);
  CHECK(m.read(mmio::kShmLenLow) == UINT32_MAX);  // no shared memory regions
}

TEST_CASE("QueueSelOutOfRange: reads 0, writes ignored and counted", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  negotiate(m, kV1);
  m.write(mmio::kQueueSel, 7);  // the device has one queue
  CHECK(m.read(mmio::kQueueNumMax) == 0);
  CHECK(m.read(mmio::kQueueReady) == 0);
  m.write(mmio::kQueueNum, 8);
  m.write(mmio::kQueueReady, 1);
  const auto s = f.dev->stats();
  CHECK(s.register_errors == 2);
  CHECK(s.last_error == "virtio-blk-test: register 0x44 written with QueueSel 7 out of range (device has 1 queues)");
  m.write(mmio::kQueueSel, UINT32_MAX);
  CHECK(m.read(mmio::kQueueDescLow) == 0);
}

TEST_CASE("StatusWrittenOutOfOrder: ignored and counted", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  m.write(mmio::kStatus, kDOk);  // DRIVER_OK first
  CHECK(m.read(mmio::kStatus) == 0);
  m.write(mmio::kStatus, kAck | kFOk);  // FEATURES_OK without DRIVER
  CHECK(m.read(mmio::kStatus) == 0);
  CHECK(f.dev->stats().register_errors == 2);
  CHECK(f.dev->stats().last_error == "virtio-blk-test: status 0x9 skips an initialisation step");
}

TEST_CASE("StatusClearsBits: only a reset may clear", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  m.write(mmio::kStatus, kAck);
  m.write(mmio::kStatus, kAck | kDrv);
  m.write(mmio::kStatus, kDrv);
  CHECK(m.read(mmio::kStatus) == (kAck | kDrv));
  CHECK(f.dev->stats().last_error == "virtio-blk-test: status write 0x2 clears bits of 0x3");
}

TEST_CASE("NegotiationOfUnofferedFeatures: FEATURES_OK stays clear", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  negotiate(m, kV1 | bit(net::kFGuestTso4) | bit(63));
  CHECK(m.read(mmio::kStatus) == (kAck | kDrv));  // 3.1.1 step 6: the driver sees it refused
  CHECK(f.dev->stats().errors == 1);
  CHECK(f.dev->stats().last_error ==
        "virtio-blk-test: driver accepted features 0x8000000000000080 that were not offered; FEATURES_OK refused");
}

TEST_CASE("FeatureBitsBeyond64: remembered and refused", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  m.write(mmio::kStatus, kAck);
  m.write(mmio::kStatus, kAck | kDrv);
  m.driver_features(kV1);
  m.write(mmio::kDriverFeaturesSel, 2);
  m.write(mmio::kDriverFeatures, 1);
  m.write(mmio::kStatus, kAck | kDrv | kFOk);
  CHECK((m.read(mmio::kStatus) & kFOk) == 0);
}

TEST_CASE("LegacyDriverWithoutVersion1: refused", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  negotiate(m, bit(blk::kFFlush));
  CHECK((m.read(mmio::kStatus) & kFOk) == 0);
  CHECK(f.dev->stats().last_error ==
        "virtio-blk-test: driver did not accept VIRTIO_F_VERSION_1 (legacy drivers are not supported); FEATURES_OK "
        "refused");
}

TEST_CASE("FeaturesWrittenAfterFeaturesOk: ignored", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  negotiate(m, kV1);
  m.driver_features(kV1 | bit(blk::kFFlush));
  CHECK(f.dev->negotiated_features() == kV1);
  CHECK(f.dev->stats().register_errors == 2);
}

TEST_CASE("NonWordControlAccess: 1, 2 and 8 bytes, and unaligned", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  m.write(mmio::kStatus, kAck);
  CHECK(m.read8(mmio::kStatus) == 0);     // not the status: a refused access reads as 0
  CHECK(m.read16(mmio::kMagicValue) == 0);
  m.write8(mmio::kStatus, 0);             // would be a reset if honoured
  CHECK(m.read(mmio::kStatus) == kAck);
  uint8_t eight[8] = {};
  f.dev->mmio_read(mmio::kMagicValue, eight);
  uint8_t four[4] = {1, 0, 0, 0};
  f.dev->mmio_write(mmio::kStatus + 1, four);
  CHECK(m.read(mmio::kStatus) == kAck);
  CHECK(f.dev->stats().register_errors == 5);
  CHECK(f.dev->stats().last_error == "virtio-blk-test: 4-byte write to control register 0x71");
}

TEST_CASE("ConfigAccess: widths inside the space, zeros outside, writes ignored", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  CHECK(m.read(mmio::kConfig) == 64);  // capacity, low word
  CHECK(m.read(mmio::kConfig + 4) == 0);
  CHECK(m.read8(mmio::kConfig) == 64);
  CHECK(m.read(mmio::kConfig + 0x200) == 0);
  CHECK(m.read(mmio::kConfig + 22) == 0);  // crosses the end of the 24-byte space
  m.write(mmio::kConfig, 0);
  CHECK(m.read(mmio::kConfig) == 64);
  CHECK(f.dev->stats().register_errors == 3);
}

TEST_CASE("QueueReadyBeforeFeaturesOk: ignored", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  m.write(mmio::kStatus, kAck);
  m.setup_queue(0, f.q.layout());
  CHECK(m.read(mmio::kQueueReady) == 0);
  CHECK(f.dev->stats().last_error == "virtio-blk-test: queue 0 made ready before FEATURES_OK");
}

TEST_CASE("BadRingAtQueueReady: DEVICE_NEEDS_RESET and a config interrupt", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  negotiate(m, kV1);
  auto layout = f.q.layout();
  SECTION("misaligned descriptor table") { layout.desc += 4; }
  SECTION("size not a power of two") { layout.size = 12; }
  SECTION("used ring outside RAM") { layout.used = f.ram.size() - 8; }
  m.setup_queue(0, layout);
  CHECK(m.read(mmio::kQueueReady) == 0);
  CHECK((m.read(mmio::kStatus) & kStatusDeviceNeedsReset) != 0);
  CHECK(m.read(mmio::kInterruptStatus) == mmio::kInterruptConfig);
  CHECK(f.dev->stats().needs_reset);
  // A reset clears it all (4.2.2.1).
  m.write(mmio::kStatus, 0);
  CHECK(m.read(mmio::kStatus) == 0);
  CHECK(m.read(mmio::kInterruptStatus) == 0);
  CHECK_FALSE(f.dev->stats().needs_reset);
}

TEST_CASE("QueueChangedWhileReady: ignored", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  negotiate(m, kV1);
  m.setup_queue(0, f.q.layout());
  m.write(mmio::kQueueDescLow, 0x8000);
  CHECK(m.read(mmio::kQueueDescLow) == f.q.layout().desc);
  CHECK(f.dev->stats().last_error == "virtio-blk-test: queue 0 register 0x80 written while the queue is ready");
}

TEST_CASE("NotifyBeforeDriverOk: nothing is processed", "[mmio][attack]") {
  BlkFixture f;
  Mmio m{*f.dev};
  negotiate(m, kV1);
  m.setup_queue(0, f.q.layout());
  uint64_t data, status;
  f.request(blk::kTIn, 0, 512, &data, &status);
  m.write(mmio::kQueueNotify, 0);
  m.write(mmio::kQueueNotify, 5);
  CHECK(f.q.used_idx() == 0);
  CHECK(f.dev->stats().register_errors == 2);
}

TEST_CASE("ReplayLinuxVirtioMmioProbe: virtio-blk comes up and serves a read", "[mmio][replay]") {
  BlkFixture f;
  Mmio m{*f.dev};
  // virtio_mmio_probe
  REQUIRE(m.read(mmio::kMagicValue) == 0x74726976);
  REQUIRE(m.read(mmio::kVersionReg) == 2);
  REQUIRE(m.read(mmio::kDeviceId) == kIdBlock);
  m.read(mmio::kVendorIdReg);
  // register_virtio_device: reset, then add_status(ACKNOWLEDGE) as read-modify-write
  m.write(mmio::kStatus, 0);
  m.write(mmio::kStatus, m.read(mmio::kStatus) | kAck);
  // virtio_dev_probe
  m.write(mmio::kStatus, m.read(mmio::kStatus) | kDrv);
  const uint64_t offered = m.device_features();
  const uint64_t wanted = offered & (kV1 | bit(blk::kFSegMax) | bit(blk::kFBlkSize) | bit(blk::kFFlush) |
                                     bit(kFRingEventIdx) | bit(kFRingIndirectDesc));
  m.driver_features(wanted);
  m.write(mmio::kStatus, m.read(mmio::kStatus) | kFOk);
  REQUIRE((m.read(mmio::kStatus) & kFOk) != 0);
  // virtblk_probe: config reads bracketed by the generation counter
  const uint32_t gen = m.read(mmio::kConfigGeneration);
  const uint64_t capacity = m.read(mmio::kConfig) | uint64_t{m.read(mmio::kConfig + 4)} << 32;
  CHECK(m.read(mmio::kConfig + 12) == BlkDevice::kSegMax);
  CHECK(m.read(mmio::kConfig + 20) == 512);
  CHECK(m.read(mmio::kConfigGeneration) == gen);
  CHECK(capacity == 64);
  // vm_find_vqs -> vm_setup_vq
  m.write(mmio::kQueueSel, 0);
  REQUIRE(m.read(mmio::kQueueReady) == 0);
  REQUIRE(m.read(mmio::kQueueNumMax) >= 16);
  m.setup_queue(0, f.q.layout());
  // virtio_device_ready
  m.write(mmio::kStatus, m.read(mmio::kStatus) | kDOk);
  REQUIRE(m.read(mmio::kStatus) == (kAck | kDrv | kFOk | kDOk));
  // A request, the kick, then vm_interrupt: read InterruptStatus, ACK it.
  uint64_t data, status;
  f.request(blk::kTIn, 1, 512, &data, &status);
  m.write(mmio::kQueueNotify, 0);
  REQUIRE(f.q.used_idx() == 1);
  CHECK(f.q.used(0).len == 513);
  CHECK(f.ram.get<uint8_t>(status) == blk::kSOk);
  CHECK(f.ram.get<uint8_t>(data + 3) == ((1 * 7 + 3) & 0xff));
  const uint32_t isr = m.read(mmio::kInterruptStatus);
  CHECK(isr == mmio::kInterruptVring);
  m.write(mmio::kInterruptAck, isr);
  CHECK(m.read(mmio::kInterruptStatus) == 0);
  CHECK(f.dev->stats().register_errors == 0);
  // Removal: del_vq writes QueueReady 0 and expects to read 0 back; then a reset.
  m.write(mmio::kQueueSel, 0);
  m.write(mmio::kQueueReady, 0);
  CHECK(m.read(mmio::kQueueReady) == 0);
  m.write(mmio::kStatus, 0);
  CHECK(m.read(mmio::kStatus) == 0);
}

TEST_CASE("ReplayUnikraftVirtioMmio: device add, bus probe, find/setup vqs", "[mmio][replay]") {
  BlkFixture f;
  Mmio m{*f.dev};
  // virtio_mmio_add_dev: magic, version (1 or 2 accepted), device id (0 = placeholder), vendor
  REQUIRE(m.read(mmio::kMagicValue) == 0x74726976);
  REQUIRE(m.read(mmio::kVersionReg) == 2);
  REQUIRE(m.read(mmio::kDeviceId) != 0);
  m.read(mmio::kVendorIdReg);
  // virtio_bus: vm_reset, then statuses written whole (vm_set_status), status read & 0xff
  m.write(mmio::kStatus, 0);
  m.write(mmio::kStatus, kAck);
  m.write(mmio::kStatus, (m.read(mmio::kStatus) & 0xff) | kDrv);
  // vm_get_features / vm_set_features: high word first
  const uint64_t features = m.device_features() & (kV1 | bit(blk::kFBlkSize));
  m.driver_features(features);
  m.write(mmio::kStatus, (m.read(mmio::kStatus) & 0xff) | kFOk);
  REQUIRE((m.read(mmio::kStatus) & kFOk) != 0);
  // vm_get with len 8 (capacity): two 32-bit reads; len 4 (blk_size)
  CHECK(m.read(mmio::kConfig) == 64);
  CHECK(m.read(mmio::kConfig + 4) == 0);
  CHECK(m.read(mmio::kConfig + 20) == 512);
  // vm_find_vqs: QueueSel, QueueReady must be 0, QueueNumMax
  m.write(mmio::kQueueSel, 0);
  REQUIRE(m.read(mmio::kQueueReady) == 0);
  const uint32_t max = m.read(mmio::kQueueNumMax);
  REQUIRE(max != 0);
  // vm_setup_vq (version 2)
  m.setup_queue(0, f.q.layout());
  m.write(mmio::kStatus, (m.read(mmio::kStatus) & 0xff) | kDOk);
  uint64_t status;
  f.request(blk::kTOut, 2, 512, nullptr, &status);
  m.write(mmio::kQueueNotify, 0);  // vm_notify
  CHECK(f.ram.get<uint8_t>(status) == blk::kSOk);
  // vm_interrupt: ACK only when a bit is set
  const uint32_t isr = m.read(mmio::kInterruptStatus);
  CHECK(isr == mmio::kInterruptVring);
  m.write(mmio::kInterruptAck, isr);
  CHECK(f.dev->stats().register_errors == 0);
  CHECK(f.file.read()[2 * 512] == 0x5a);
}
