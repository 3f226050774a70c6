// net_bench: sends frames guest-to-tap as fast as the ring allows, timed with the guest
// clock. Arguments: "frames=N" (default 100000), "size=B" (frame bytes, default 64),
// "batch=K" (frames per flush, i.e. per notification; default 32). The frames are
// broadcast-free UDP-less Ethernet frames of an unused EtherType (0x88b5, local
// experimental) addressed to the tap's side. Prints "net_bench: frames=N ... ns=T".
#include "args.h"
#include "rt/console.h"
#include "rt/hypercall.h"
#include "rt/string.h"
#include "rt/time.h"
#include "virtio/net.h"

extern "C" int main(int argc, char** argv) {
  const uint64_t frames = vdrv_test::arg_u64(argc, argv, "frames", 100000);
  uint64_t size = vdrv_test::arg_u64(argc, argv, "size", 64);
  const uint64_t batch = vdrv_test::arg_u64(argc, argv, "batch", 32);
  if (size < 60) size = 60;
  if (size > 1514) size = 1514;
  gnet::NetDevice* nic = virtio_net_open_first();
  if (nic == nullptr) return 1;
  uint8_t frame[1514] = {};
  memset(frame, 0x02, 6);  // a locally administered unicast destination nobody owns
  nic->mac(frame + 6);
  frame[12] = 0x88;
  frame[13] = 0xb5;
  rt::hc_boot_ready();
  const uint64_t start = rt::now_ns();
  uint64_t sent = 0, flushes = 0;
  while (sent < frames) {
    gnet::Slice s{frame, size};
    uint64_t k = 0;
    for (; k < batch && sent < frames; ++k, ++sent) {
      if (!nic->send(&s, 1)) break;
    }
    nic->flush();
    ++flushes;
  }
  const uint64_t ns = rt::now_ns() - start;
  rt::printf("net_bench: frames=%lu size=%lu batch=%lu flushes=%lu ns=%lu\n", static_cast<unsigned long>(frames),
             static_cast<unsigned long>(size), static_cast<unsigned long>(batch), static_cast<unsigned long>(flushes),
             static_cast<unsigned long>(ns));
  return 0;
}
