// virtio-net (virtio 1.2 section 5.1) on a datagram socketpair standing in for the tap:
// rx delivery and num_buffers, the buffers-exhausted stall and its recovery, oversized
// frames, and tx chains from a hostile driver.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "fake_guest.h"
#include "virtio/net_device.h"
#include "virtio/tap.h"
#include "virtio/virtio_spec.h"

using namespace vmm;
using namespace vmm::virtio;
using namespace vmm::virtio::test;

namespace {

constexpr size_t kHdr = sizeof(net::Header);
const uint64_t kBase = bit(kFVersion1) | bit(net::kFMac) | bit(kFRingEventIdx);

struct NetFixture {
  explicit NetFixture(uint64_t features = kBase) {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    host = UniqueFd(fds[1]);
    dev = NetDevice::create("virtio-net-test", Tap::from_datagram_fd(UniqueFd(fds[0]), "pair"),
                            {0x02, 1, 2, 3, 4, 5}, ram.memory());
    const Virtqueue::Layout layouts[] = {rx.layout(), tx.layout()};
    REQUIRE(dev->preconfigure(features, layouts).has_value());
  }
  // A frame of `len` bytes (after the header) from the host side.
  void host_send(size_t len, uint8_t fill = 0xab) {
    std::vector<uint8_t> d(kHdr + len, fill);
    std::memset(d.data(), 0, kHdr);
    REQUIRE(::send(host.get(), d.data(), d.size(), 0) == static_cast<ssize_t>(d.size()));
  }
  std::vector<uint8_t> host_receive() {
    std::vector<uint8_t> d(70000);
    const ssize_t n = ::recv(host.get(), d.data(), d.size(), 0);
    d.resize(n < 0 ? 0 : static_cast<size_t>(n));
    return d;
  }
  uint64_t post_rx(uint32_t len) {
    uint64_t gpa;
    rx.chain().writable(len, &gpa).publish();
    return gpa;
  }

  FakeRam ram{1 << 20};
  DriverQueue rx{ram, 0x1000, 16};
  DriverQueue tx{ram, 0x3000, 16};
  UniqueFd host;
  std::shared_ptr<NetDevice> dev;
};

}  // namespace

TEST_CASE("RxFrameDeliveredWithNumBuffers", "[net]") {
  NetFixture f;
  const uint64_t buf = f.post_rx(2048);
  f.host_send(60);
  CHECK(f.dev->process());
  REQUIRE(f.rx.used_idx() == 1);
  CHECK(f.rx.used(0).len == kHdr + 60);
  CHECK(f.ram.get<net::Header>(buf).num_buffers == 1);
  CHECK(f.ram.get<uint8_t>(buf + kHdr) == 0xab);
  CHECK(f.dev->stats().rx_packets == 1);
  CHECK(f.dev->stats().rx_bytes == 60);
}

TEST_CASE("RxBuffersExhausted: stop reading the tap, resume on the driver's notify", "[net][attack]") {
  NetFixture f;
  for (int i = 0; i < 3; ++i) f.host_send(60);
  CHECK(f.dev->poll_fd() >= 0);
  CHECK_FALSE(f.dev->process());  // nothing to deliver into
  CHECK(f.dev->stats().rx_stalls == 1);
  CHECK(f.dev->poll_fd() == -1);   // the wait hypercall no longer wakes on the tap
  CHECK_FALSE(f.dev->host_interest());
  CHECK_FALSE(f.dev->has_work());
  CHECK(f.rx.avail_event() == 0);  // asks to be told when buffers arrive (2.7.10)
  for (int i = 0; i < 3; ++i) f.post_rx(2048);
  CHECK(f.dev->has_work());        // a frame waits and buffers are there
  f.dev->notify(net::kRxQueue);
  CHECK(f.rx.used_idx() == 3);
  CHECK(f.dev->host_interest());
  CHECK(f.dev->stats().rx_packets == 3);
  CHECK(f.dev->stats().rx_dropped == 0);
}

TEST_CASE("RxFrameLargerThanTheBuffer: dropped without MRG_RXBUF, the buffer kept", "[net][attack]") {
  NetFixture f;
  f.post_rx(100);
  f.host_send(200);
  f.host_send(50);
  f.dev->process();
  REQUIRE(f.rx.used_idx() == 1);  // the second frame used the buffer the first could not
  CHECK(f.rx.used(0).len == kHdr + 50);
  CHECK(f.dev->stats().rx_dropped == 1);
}

TEST_CASE("RxMergeable: a frame over three chains, num_buffers 3", "[net]") {
  NetFixture f(kBase | bit(net::kFMrgRxbuf));
  const uint64_t first = f.post_rx(64);
  f.post_rx(64);
  f.post_rx(64);
  f.host_send(150);  // 162 bytes with the header
  f.dev->process();
  REQUIRE(f.rx.used_idx() == 3);
  CHECK(f.rx.used(0).len + f.rx.used(1).len + f.rx.used(2).len == kHdr + 150);
  CHECK(f.ram.get<net::Header>(first).num_buffers == 3);
}

TEST_CASE("RxChainNotWritable: returned empty, error counted", "[net][attack]") {
  NetFixture f;
  const std::byte junk[64] = {};
  f.rx.chain().readable(junk).publish();
  const uint64_t good = f.post_rx(2048);
  f.host_send(60);
  f.dev->process();
  REQUIRE(f.rx.used_idx() == 2);
  CHECK(f.rx.used(0).len == 0);
  CHECK(f.rx.used(1).len == kHdr + 60);
  CHECK(f.ram.get<uint8_t>(good + kHdr) == 0xab);
  CHECK(f.dev->stats().errors == 1);
}

TEST_CASE("TxFrameSentWithSanitisedHeader", "[net]") {
  NetFixture f;
  net::Header h{};
  h.flags = net::kHdrFNeedsCsum;  // CSUM was not negotiated: must not reach the tap
  h.gso_type = 1;
  std::vector<std::byte> payload(60, std::byte{0x42});
  f.tx.chain().readable_struct(h).readable(payload).publish();
  f.dev->notify(net::kTxQueue);
  REQUIRE(f.tx.used_idx() == 1);
  CHECK(f.tx.used(0).len == 0);
  const auto got = f.host_receive();
  REQUIRE(got.size() == kHdr + 60);
  CHECK(got[0] == 0);  // flags
  CHECK(got[1] == 0);  // gso_type
  CHECK(got[kHdr] == 0x42);
  CHECK(f.dev->stats().tx_packets == 1);
  CHECK(f.dev->stats().tx_bytes == 60);
}

TEST_CASE("TxChainWithWritableBuffer: dropped", "[net][attack]") {
  NetFixture f;
  net::Header h{};
  f.tx.chain().readable_struct(h).writable(60).publish();
  f.dev->notify(net::kTxQueue);
  REQUIRE(f.tx.used_idx() == 1);
  CHECK(f.dev->stats().tx_dropped == 1);
  CHECK(f.dev->stats().last_error == "virtio-net-test: tx chain at descriptor 0 has device-writable buffers: dropped");
  CHECK(f.host_receive().empty());
}

TEST_CASE("TxShorterThanHeader: dropped", "[net][attack]") {
  NetFixture f;
  const std::byte shorty[6] = {};
  f.tx.chain().readable(shorty).publish();
  f.dev->notify(net::kTxQueue);
  CHECK(f.dev->stats().tx_dropped == 1);
}

TEST_CASE("TxBatchOneNotify: many frames per notification", "[net]") {
  NetFixture f;
  net::Header h{};
  std::vector<std::byte> payload(60, std::byte{1});
  for (int i = 0; i < 10; ++i) f.tx.chain().readable_struct(h).readable(payload).publish();
  f.dev->notify(net::kTxQueue);
  CHECK(f.tx.used_idx() == 10);
  CHECK(f.dev->stats().tx_packets == 10);
  CHECK(f.dev->stats().notifications == 1);
}

TEST_CASE("TapAdoptRejectsANonTapFd", "[net]") {
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  auto r = Tap::adopt(p[0]);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message() ==
        fmt::format("tap fd {}: TUNGETIFF (not a tap?): Inappropriate ioctl for device", p[0]));
  ::close(p[0]);
  ::close(p[1]);
}
