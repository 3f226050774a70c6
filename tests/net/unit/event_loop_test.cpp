// The event loop's batching contract: one flush per iteration, no wait while work is
// pending, a wait with the next deadline (or none) when idle.
#include <catch2/catch.hpp>

#include <vector>

#include "net/event_loop.h"
#include "net_fixture.h"

using namespace nettest;

namespace {

class FakeWaiter final : public gnet::Waiter {
 public:
  explicit FakeWaiter(uint64_t* now) : now_(now) {}
  uint64_t now_ns() override { return *now_; }
  void wait_until(uint64_t deadline_ns) override {
    waits.push_back(deadline_ns);
    if (deadline_ns != UINT64_MAX) *now_ = deadline_ns;
  }
  std::vector<uint64_t> waits;

 private:
  uint64_t* now_;
};

class CountingApp final : public gnet::Application {
 public:
  void run(uint64_t) override { ++runs; }
  int runs = 0;
};

}  // namespace

TEST_CASE("EventLoopBatchesReceivedFramesAndFlushesOncePerIteration") {
  NetFixture net;
  REQUIRE(net.tcp().listen(80, 16) == 0);
  FakeWaiter waiter(&net.now);
  CountingApp app;
  gnet::EventLoop loop(net.dev, *net.stack, app, waiter);
  for (int i = 0; i < 10; ++i) {
    TcpFields f;
    f.src_port = static_cast<uint16_t>(50000 + i);
    f.flags = gnet::kTcpSyn;
    net.dev.inbox.push_back(ethernet(kServerMac, kClientMac, gnet::kEtherTypeIpv4,
                                     ipv4(kClientIp, kServerIp, gnet::kIpProtoTcp, tcp(kClientIp, kServerIp, f))));
  }
  loop.step();
  CHECK(net.dev.flushes == 1);
  CHECK(net.dev.sent.size() == 10);  // ten SYN-ACKs, one flush
  CHECK(waiter.waits.empty());       // frames came in: go round again first
  loop.step();
  REQUIRE(waiter.waits.size() == 1);
  CHECK(waiter.waits[0] == net.stack->next_deadline());  // SYN-ACK retransmission timer
  CHECK(app.runs == 2);
}

TEST_CASE("EventLoopIdleStackWaitsWithoutDeadline") {
  NetFixture net;
  FakeWaiter waiter(&net.now);
  CountingApp app;
  gnet::EventLoop loop(net.dev, *net.stack, app, waiter);
  loop.step();
  REQUIRE(waiter.waits.size() == 1);
  CHECK(waiter.waits[0] == UINT64_MAX);
  CHECK(loop.stats().waits == 1);
}
