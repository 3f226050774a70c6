// libFuzzer: the split virtqueue (virtio 1.2 section 2.7) on guest RAM taken from the
// input: rings, descriptors, indirect tables and indices are all hostile. Every chain
// popped must lie inside guest RAM; ASan catches any access outside it.
#include <cstdlib>

#include "fuzz_virtio_support.h"
#include "virtio/virtqueue.h"

using namespace vmm;
using namespace vmm::virtio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  fuzz::InputRam ram(data + 4, size - 4);
  const GuestMemory mem = ram.memory();
  Virtqueue::Layout layout;
  layout.size = static_cast<uint16_t>(1u << (data[0] % 6));  // 1..32
  layout.desc = 0;       // up to 32 descriptors: 512 bytes of input
  layout.avail = 0x200;  // then the available ring
  layout.used = 0x400;
  Virtqueue::Options options{32, (data[1] & 1) != 0, (data[1] & 2) != 0, static_cast<uint16_t>(data[2])};
  auto vq = Virtqueue::create(mem, layout, options);
  if (!vq) return 0;
  DescriptorChain chain;
  for (int rounds = 0; rounds < 64; ++rounds) {
    const Virtqueue::Pop r = vq->pop(chain);
    if (r == Virtqueue::Pop::Empty || r == Virtqueue::Pop::Broken) break;
    if (r == Virtqueue::Pop::Chain) {
      for (const Segment& s : chain.segments) {
        if (!mem.contains(s.gpa, s.len) || mem.host_ptr(s.gpa, s.len) != s.host) std::abort();
      }
    }
    if (chain.head >= layout.size) std::abort();
    vq->add_used(chain.head, static_cast<uint32_t>(chain.writable_bytes));
    if (data[3] & 1) vq->publish();
  }
  vq->publish();
  vq->set_notification((data[3] & 2) != 0);
  return 0;
}
