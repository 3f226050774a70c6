// blk_bench: 4 KiB requests against the first virtio-blk device, timed with the guest
// clock (no exits). Arguments: "op=read|write", "ops=N" (default 4096), "depth=D"
// (requests per notification, default 1). Prints "blk_bench: op=... ops=N depth=D ns=T".
#include "args.h"
#include "rt/console.h"
#include "rt/heap.h"
#include "rt/hypercall.h"
#include "rt/time.h"
#include "virtio/blk.h"

extern "C" int main(int argc, char** argv) {
  const char* op = vdrv_test::arg(argc, argv, "op");
  const bool write = op != nullptr && op[0] == 'w';
  const uint64_t ops = vdrv_test::arg_u64(argc, argv, "ops", 4096);
  uint64_t depth = vdrv_test::arg_u64(argc, argv, "depth", 1);
  const char* error = nullptr;
  vdrv::Blk* blk = vdrv::Blk::open_first(&error);
  if (blk == nullptr) {
    rt::printf("blk_bench: FAIL: %s\n", error);
    return 1;
  }
  if (depth < 1) depth = 1;
  if (depth > blk->slots()) depth = blk->slots();
  const uint64_t span = blk->capacity() / 8;  // 4 KiB blocks on the disk
  if (span == 0) return 1;
  auto* data = static_cast<uint8_t*>(calloc(depth, 4096));
  auto* ios = new vdrv::BlkIo[depth];
  rt::hc_boot_ready();
  const uint64_t start = rt::now_ns();
  uint64_t done = 0, block = 0;
  while (done < ops) {
    const uint64_t n = ops - done < depth ? ops - done : depth;
    for (uint64_t k = 0; k < n; ++k) {
      ios[k].type = write ? vdrv::kBlkOut : vdrv::kBlkIn;
      ios[k].sector = (block++ % span) * 8;
      ios[k].data = data + k * 4096;
      ios[k].length = 4096;
    }
    if (blk->run(ios, n) != n) {
      rt::print("blk_bench: FAIL: a request failed\n");
      return 1;
    }
    done += n;
  }
  const uint64_t ns = rt::now_ns() - start;
  rt::printf("blk_bench: op=%s ops=%lu depth=%lu ns=%lu\n", write ? "write" : "read", static_cast<unsigned long>(ops),
             static_cast<unsigned long>(depth), static_cast<unsigned long>(ns));
  return 0;
}
