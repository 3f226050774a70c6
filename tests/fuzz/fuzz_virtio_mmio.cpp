// libFuzzer: the virtio-mmio register file (virtio 1.2 section 4.2.2) driven by a hostile
// sequence of accesses: each 8-byte record is (offset: 2, width: 1, write: 1, value: 4).
// Queues set up by the sequence point into guest RAM taken from the tail of the input,
// and QueueNotify drains them through the real virtqueue code.
#include "fuzz_virtio_support.h"

using namespace vmm;
using namespace vmm::virtio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const size_t records = size / 16;  // first half: accesses; second half: guest RAM
  fuzz::InputRam ram(data + records * 8, size - records * 8);
  fuzz::EchoDevice dev(ram.memory());
  static constexpr size_t kWidths[] = {1, 2, 4, 8};
  for (size_t i = 0; i < records; ++i) {
    const uint8_t* r = data + i * 8;
    const uint64_t offset = (r[0] | r[1] << 8) % 0x1100u;
    const size_t width = kWidths[r[2] % 4];
    uint8_t value[8] = {r[4], r[5], r[6], r[7], r[4], r[5], r[6], r[7]};
    if (r[3] & 1) {
      dev.mmio_write(offset, std::span<const uint8_t>(value, width));
    } else {
      dev.mmio_read(offset, std::span<uint8_t>(value, width));
    }
    if (r[3] & 2) dev.notify_all();
  }
  (void)dev.stats();
  return 0;
}
