// libFuzzer: the virtio-blk request parser (virtio 1.2 section 5.2.6) on chains popped
// from a hostile queue: any outcome must describe ranges inside the chain and the disk.
#include <cstdlib>

#include "core/checked_math.h"
#include "fuzz_virtio_support.h"
#include "virtio/blk_request.h"

using namespace vmm;
using namespace vmm::virtio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  fuzz::InputRam ram(data + 8, size - 8);
  const GuestMemory mem = ram.memory();
  auto vq = Virtqueue::create(mem, {16, 0, 0x100, 0x200}, {16, false, (data[0] & 1) != 0, 16});
  if (!vq) return 0;
  BlkLimits limits;
  limits.capacity = data[1] | uint64_t{data[2]} << 8;
  limits.seg_max = 1u + data[3] % 16;
  limits.size_max = 512u << (data[4] % 12);
  limits.read_only = (data[5] & 1) != 0;
  limits.flush_negotiated = (data[5] & 2) != 0;
  DescriptorChain chain;
  for (int rounds = 0; rounds < 32; ++rounds) {
    const Virtqueue::Pop r = vq->pop(chain);
    if (r == Virtqueue::Pop::Empty || r == Virtqueue::Pop::Broken) break;
    if (r != Virtqueue::Pop::Chain) continue;
    const BlkParse p = parse_blk_request(chain, limits);
    if (p.outcome == BlkParse::NoStatus) continue;
    if (p.request.status_offset >= chain.writable_bytes) std::abort();
    if (p.outcome != BlkParse::Ok) continue;
    const BlkRequest& q = p.request;
    if (q.type == blk::kTIn && q.data_len + 1 != chain.writable_bytes) std::abort();
    if (q.type == blk::kTOut && q.data_len + 16 != chain.readable_bytes) std::abort();
    if (q.type == blk::kTIn || q.type == blk::kTOut) {
      const auto end = checked_add(q.sector, q.data_len / 512);
      if (!end || *end > limits.capacity || q.data_len % 512 != 0) std::abort();
    }
  }
  return 0;
}
