// virtio-blk requests (virtio 1.2 section 5.2.6) from a hostile driver: each malformed
// request completes with the exact status and used length asserted here, and the disk
// file is checked to hold exactly what valid requests wrote.
#include <catch2/catch.hpp>

#include "device_fixture.h"
#include "virtio/blk_request.h"
#include "virtio/chain_io.h"
#include "virtio/virtio_spec.h"

using namespace vmm::virtio;
using namespace vmm::virtio::test;

namespace {

const uint64_t kAll = bit(kFVersion1) | bit(blk::kFFlush) | bit(blk::kFSegMax) | bit(blk::kFSizeMax) |
                      bit(kFRingEventIdx) | bit(kFRingIndirectDesc);

struct Done {
  uint32_t used_len;
  uint8_t status;
};

Done complete(BlkFixture& f, uint64_t status_gpa) {
  f.dev->notify(0);
  REQUIRE(f.q.used_idx() >= 1);
  return {f.q.used(static_cast<uint16_t>(f.q.used_idx() - 1)).len, f.ram.get<uint8_t>(status_gpa)};
}

}  // namespace

TEST_CASE("ReadReturnsTheDiskContent", "[blk]") {
  BlkFixture f;
  f.activate(kAll);
  uint64_t data, status;
  f.request(blk::kTIn, 3, 1024, &data, &status);
  const Done d = complete(f, status);
  CHECK(d.status == blk::kSOk);
  CHECK(d.used_len == 1025);
  for (size_t j = 0; j < 1024; ++j) REQUIRE(f.ram.get<uint8_t>(data + j) == (((3 + j / 512) * 7 + j % 512) & 0xff));
  CHECK(f.dev->stats().read_bytes == 1024);
}

TEST_CASE("WriteReachesTheFileAndFlushCompletes", "[blk]") {
  BlkFixture f;
  f.activate(kAll);
  uint64_t status, flush_status;
  f.request(blk::kTOut, 5, 512, nullptr, &status);
  f.request(blk::kTFlush, 0, 0, nullptr, &flush_status);
  f.dev->notify(0);
  CHECK(f.q.used_idx() == 2);
  CHECK(f.ram.get<uint8_t>(status) == blk::kSOk);
  CHECK(f.ram.get<uint8_t>(flush_status) == blk::kSOk);
  const auto disk = f.file.read();
  CHECK(disk[5 * 512] == 0x5a);
  CHECK(disk[6 * 512] == ((6 * 7) & 0xff));  // neighbours untouched
  CHECK(f.dev->stats().flushes == 1);
}

TEST_CASE("WriteWithoutFlushNegotiatedIsDurableOnCompletion", "[blk]") {
  BlkFixture f;
  f.activate(kAll & ~bit(blk::kFFlush));  // every write then goes out with RWF_DSYNC
  uint64_t status;
  f.request(blk::kTOut, 1, 512, nullptr, &status);
  CHECK(complete(f, status).status == blk::kSOk);
  uint64_t flush_status;
  f.request(blk::kTFlush, 0, 0, nullptr, &flush_status);
  CHECK(complete(f, flush_status).status == blk::kSUnsupp);  // 5.2.6.2: not negotiated
}

TEST_CASE("GetIdWritesTwentyBytes", "[blk]") {
  BlkFixture f;
  f.activate(kAll);
  uint64_t data, status;
  f.request(blk::kTGetId, 0, 20, &data, &status);
  const Done d = complete(f, status);
  CHECK(d.status == blk::kSOk);
  CHECK(d.used_len == 21);
  CHECK(std::string(reinterpret_cast<const char*>(f.ram.at(data)), 4) == "vmm-");
}

TEST_CASE("SectorOutOfRange: IOERR, nothing transferred", "[blk][attack]") {
  BlkFixture f;
  f.activate(kAll);
  uint64_t data, status;
  SECTION("starts past the end") { f.request(blk::kTIn, 64, 512, &data, &status); }
  SECTION("ends past the end") { f.request(blk::kTIn, 63, 1024, &data, &status); }
  SECTION("sector + length overflows") { f.request(blk::kTIn, UINT64_MAX, 512, &data, &status); }
  const Done d = complete(f, status);
  CHECK(d.status == blk::kSIoErr);
  CHECK(d.used_len == 1);
  CHECK(f.ram.get<uint8_t>(data) == 0xee);  // the buffer was not written
  CHECK(f.dev->stats().errors == 1);
}

TEST_CASE("DataNotMultipleOf512: IOERR", "[blk][attack]") {
  BlkFixture f;
  f.activate(kAll);
  uint64_t data, status;
  f.request(blk::kTIn, 0, 100, &data, &status);
  CHECK(complete(f, status).status == blk::kSIoErr);
  CHECK(f.dev->stats().last_error == "virtio-blk-test: request type 0 sector 0: data length is not a multiple of 512");
}

TEST_CASE("WriteOnlyHeader: a header in device-writable memory is IOERR", "[blk][attack]") {
  BlkFixture f;
  f.activate(kAll);
  uint64_t header, status;
  f.q.chain().writable(16, &header).writable(1, &status).publish();
  const Done d = complete(f, status);
  CHECK(d.status == blk::kSIoErr);
  CHECK(d.used_len == 1);
  CHECK(f.ram.get<uint8_t>(header) == 0xee);
}

TEST_CASE("ReadOnlyStatus: no writable byte, nothing written, chain returned empty", "[blk][attack]") {
  BlkFixture f;
  f.activate(kAll);
  const blk::RequestHeader h{blk::kTIn, 0, 0};
  const std::byte status_byte[1] = {std::byte{0x77}};
  f.q.chain().readable_struct(h).readable(status_byte).publish();
  f.dev->notify(0);
  REQUIRE(f.q.used_idx() == 1);
  CHECK(f.q.used(0).len == 0);
  CHECK(f.dev->stats().errors == 1);
  CHECK(f.dev->stats().last_error == "virtio-blk-test: request at descriptor 0: no device-writable status byte");
}

TEST_CASE("ShortHeader: IOERR", "[blk][attack]") {
  BlkFixture f;
  f.activate(kAll);
  const std::byte header[8] = {};
  uint64_t status;
  f.q.chain().readable(header).writable(1, &status).publish();
  CHECK(complete(f, status).status == blk::kSIoErr);
}

TEST_CASE("HeaderSplitAcrossDescriptors: accepted (2.6.4 framing)", "[blk]") {
  BlkFixture f;
  f.activate(kAll);
  blk::RequestHeader h{blk::kTIn, 0, 2};
  auto bytes = std::as_bytes(std::span(&h, 1));
  uint64_t data, status;
  f.q.chain().readable(bytes.first(5)).readable(bytes.subspan(5)).writable(512, &data).writable(1, &status).publish();
  CHECK(complete(f, status).status == blk::kSOk);
  CHECK(f.ram.get<uint8_t>(data) == ((2 * 7) & 0xff));
}

TEST_CASE("UnknownType: UNSUPP", "[blk][attack]") {
  BlkFixture f;
  f.activate(kAll);
  uint64_t status;
  f.request(99, 0, 0, nullptr, &status);
  CHECK(complete(f, status).status == blk::kSUnsupp);
}

TEST_CASE("WriteToReadOnlyDisk: IOERR, file unchanged", "[blk][attack]") {
  BlkFixture f(true);
  f.activate(kAll | bit(blk::kFRo));
  CHECK((f.dev->negotiated_features() & bit(blk::kFRo)) != 0);
  uint64_t status;
  f.request(blk::kTOut, 0, 512, nullptr, &status);
  CHECK(complete(f, status).status == blk::kSIoErr);
  CHECK(f.file.read() == patterned_disk(64));
}

TEST_CASE("ReadWithReadableData: IOERR", "[blk][attack]") {
  BlkFixture f;
  f.activate(kAll);
  const blk::RequestHeader h{blk::kTIn, 0, 0};
  const std::byte junk[512] = {};
  uint64_t status;
  f.q.chain().readable_struct(h).readable(junk).writable(1, &status).publish();
  CHECK(complete(f, status).status == blk::kSIoErr);
}

TEST_CASE("ParserLimits: seg_max and size_max", "[blk][attack]") {
  FakeRam ram(1 << 20);
  DriverQueue q(ram, 0x1000, 16);
  auto vq = Virtqueue::create(ram.memory(), q.layout(), {16, false, false, 16});
  REQUIRE(vq.has_value());
  const blk::RequestHeader h{blk::kTIn, 0, 0};
  ChainBuilder c = q.chain();
  c.readable_struct(h);
  for (int i = 0; i < 5; ++i) c.writable(512);
  c.writable(1);
  c.publish();
  DescriptorChain chain;
  REQUIRE(vq->pop(chain) == Virtqueue::Pop::Chain);
  BlkLimits limits;
  limits.capacity = 1000;
  limits.seg_max = 4;
  BlkParse p = parse_blk_request(chain, limits);
  CHECK(p.outcome == BlkParse::IoErr);
  CHECK(std::string(p.problem) == "more segments than seg_max");
  limits.seg_max = 5;
  limits.size_max = 256;
  p = parse_blk_request(chain, limits);
  CHECK(std::string(p.problem) == "a segment is larger than size_max");
  limits.size_max = 512;
  CHECK(parse_blk_request(chain, limits).outcome == BlkParse::Ok);
}

TEST_CASE("BatchOfRequestsOneNotify: all completed, one interrupt decision", "[blk]") {
  BlkFixture f;
  f.activate(kAll);
  uint64_t status[5];  // 3 descriptors each in a 16-entry table
  for (int i = 0; i < 5; ++i) f.request(blk::kTOut, static_cast<uint64_t>(i), 512, nullptr, &status[i]);
  f.dev->notify(0);
  CHECK(f.q.used_idx() == 5);
  for (uint64_t s : status) CHECK(f.ram.get<uint8_t>(s) == blk::kSOk);
  const auto st = f.dev->stats();
  CHECK(st.requests == 5);
  CHECK(st.notifications == 1);
  CHECK(st.write_bytes == 5 * 512);
}

TEST_CASE("CreateFailsWithANamedError", "[blk]") {
  FakeRam ram(64 * 1024);
  auto r = BlkDevice::create("virtio-blk9", {"/nonexistent/disk.img", false}, ram.memory());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message() == "virtio-blk9: opening disk image /nonexistent/disk.img: No such file or directory");
}
