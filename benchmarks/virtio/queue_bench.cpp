// Device-side cost of the split virtqueue per descriptor chain: pop (copy + validate the
// descriptors), add_used and publish, on a fake guest with a 256-entry queue.
#include <benchmark/benchmark.h>

#include "fake_guest.h"

using namespace vmm::virtio;
using namespace vmm::virtio::test;

namespace {

// A blk-shaped chain (16-byte header, 4 KiB data, status byte) made available `count`
// times, reusing the same three descriptors.
void BM_QueuePopPushPerChain(benchmark::State& state) {
  const auto descriptors = static_cast<int>(state.range(0));
  FakeRam ram(4 << 20);
  DriverQueue q(ram, 0x1000, 256);
  ChainBuilder c = q.chain();
  for (int i = 0; i + 1 < descriptors; ++i) c.writable(4096 / static_cast<uint32_t>(descriptors));
  c.writable(1);
  const uint16_t head = c.publish();
  auto vq = Virtqueue::create(ram.memory(), q.layout(), {256, true, true, 256});
  if (!vq) state.SkipWithError("queue");
  DescriptorChain chain;
  uint16_t avail = 1;
  for (auto _ : state) {
    if (vq->pop(chain) != Virtqueue::Pop::Chain) state.SkipWithError("pop");
    vq->add_used(chain.head, 1);
    benchmark::DoNotOptimize(vq->publish());
    q.make_available(head);  // the driver's part: one ring entry and the index
    ++avail;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueuePopPushPerChain)->Arg(1)->Arg(3)->Arg(16);

}  // namespace
