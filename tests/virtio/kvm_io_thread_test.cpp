// The standard-guest wiring (docs/io-model.md): a device bound to a KVM VM (ioeventfd on
// QueueNotify) and to the shared I/O thread, which receives from the "tap" (a datagram
// socketpair here) without any vCPU; the rx-exhausted stall parks the tap in the epoll
// set instead of spinning.
#include <sys/socket.h>
#include <time.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "fake_guest.h"
#include "kvm_skip.h"
#include "virtio/device_wiring.h"
#include "virtio/io_loop.h"
#include "virtio/net_device.h"
#include "vmm/vm.h"

using namespace vmm;
using namespace vmm::virtio;
using namespace vmm::virtio::test;

namespace {

bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

TEST_CASE("IoLoopRunsHandlersAndRemovesThemSynchronously", "[virtio][io]") {
  auto loop = IoLoop::create();
  REQUIRE(loop.has_value());
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
  UniqueFd a(fds[0]), b(fds[1]);
  std::atomic<int> calls{0};
  auto id = (*loop)->add(a.get(), [&] {
    char c;
    while (::recv(a.get(), &c, 1, 0) == 1) ++calls;
  });
  REQUIRE(id.has_value());
  REQUIRE(::send(b.get(), "x", 1, 0) == 1);
  CHECK(eventually([&] { return calls == 1; }));
  (*loop)->set_enabled(a.get(), *id, false);
  REQUIRE(::send(b.get(), "y", 1, 0) == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(calls == 1);  // parked
  (*loop)->set_enabled(a.get(), *id, true);
  CHECK(eventually([&] { return calls == 2; }));
  (*loop)->remove(a.get(), *id);
  REQUIRE(::send(b.get(), "z", 1, 0) == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(calls == 2);
}

TEST_CASE("IoLoopSharedIsOnePerProcess", "[virtio][io]") {
  auto a = IoLoop::shared();
  auto b = IoLoop::shared();
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->get() == b->get());
}

TEST_CASE("StandardWiring: the I/O thread receives; a stall parks the tap", "[kvm][virtio][io]") {
  auto vm = Vm::create(vmm::test::kvm_or_skip());
  REQUIRE(vm.has_value());
  FakeRam ram(1 << 20);
  DriverQueue rx(ram, 0x1000, 16), tx(ram, 0x3000, 16);
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
  UniqueFd host(fds[1]);
  auto dev = NetDevice::create("virtio-net-io", Tap::from_datagram_fd(UniqueFd(fds[0]), "pair"), {2, 0, 0, 0, 0, 9},
                               ram.memory());
  auto binding = IoBinding::bind(*dev, *vm, 0xd0000000, 5, false);
  REQUIRE(binding.has_value());
  dev->attach_io(std::move(*binding));
  const Virtqueue::Layout layouts[] = {rx.layout(), tx.layout()};
  REQUIRE(dev->preconfigure(bit(kFVersion1) | bit(kFRingEventIdx), layouts).has_value());

  std::vector<uint8_t> frame(12 + 60, 0xcd);
  std::memset(frame.data(), 0, 12);
  rx.chain().writable(2048).publish();
  REQUIRE(::send(host.get(), frame.data(), frame.size(), 0) > 0);
  CHECK(eventually([&] { return rx.used_idx() == 1; }));  // delivered by the I/O thread

  for (int i = 0; i < 3; ++i) REQUIRE(::send(host.get(), frame.data(), frame.size(), 0) > 0);
  CHECK(eventually([&] { return !dev->host_interest(); }));
  const double before = cpu_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(cpu_seconds() - before < 0.05);  // no busy loop while the guest has no buffers
  CHECK(dev->stats().rx_stalls == 1);

  for (int i = 0; i < 3; ++i) rx.chain().writable(2048).publish();
  dev->notify(net::kRxQueue);  // what the ioeventfd handler does on the guest's kick
  CHECK(rx.used_idx() == 4);
  CHECK(dev->host_interest());
  dev->detach_io();  // unregisters before the fake RAM goes away
}
