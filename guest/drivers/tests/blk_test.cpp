// blk_test: exercises the first virtio-blk device; the host test checks the disk file
// afterwards. Arguments: "registers" (initialise through the MMIO registers instead of
// adopting the preconfigured device), "ro" (the disk is read-only: writes must fail).
//  1. GET_ID, capacity;
//  2. reads sectors 0..7 and checks the host's pattern: byte j of sector s = (s * 7 + j) & 0xff;
//  3. writes sectors 8..15 (4 KiB) with the guest pattern (s * 13 + j + 1) & 0xff, flushes;
//  4. writes 32 single sectors 16..47 in one batch (one notification), flushes;
//  5. a read past the end and a write past the end complete with IOERR.
#include "args.h"
#include "rt/boot.h"
#include "rt/console.h"
#include "rt/heap.h"
#include "rt/hypercall.h"
#include "rt/string.h"
#include "virtio/blk.h"

namespace {

using vdrv::Blk;
using vdrv::BlkIo;

uint8_t host_byte(uint64_t sector, size_t j) { return static_cast<uint8_t>((sector * 7 + j) & 0xff); }
uint8_t guest_byte(uint64_t sector, size_t j) { return static_cast<uint8_t>((sector * 13 + j + 1) & 0xff); }

// The VMM placed preconfigured rings in a VMM_MEM_QUEUES region, never in FREE memory
// the heap hands out.
bool rings_in_queue_area(const vmm_boot_device& d) {
  const vmm_boot_info* info = rt::boot_info();
  const auto* map = reinterpret_cast<const vmm_mem_region*>(info->memmap);
  for (uint32_t q = 0; q < d.queue_count; ++q) {
    bool inside = false;
    for (uint32_t i = 0; i < info->memmap_count; ++i) {
      const vmm_mem_region& r = map[i];
      if (r.type == VMM_MEM_QUEUES && d.queues[q].desc >= r.base && d.queues[q].used + 6 + 8u * d.queues[q].size <= r.base + r.size)
        inside = true;
    }
    if (!inside) return false;
  }
  return true;
}

int fail(const char* what, int status) {
  rt::printf("blk_test: FAIL: %s (status %d)\n", what, status);
  return 1;
}

void fill(uint8_t* p, uint64_t first_sector, uint64_t sectors) {
  for (uint64_t s = 0; s < sectors; ++s)
    for (size_t j = 0; j < 512; ++j) p[s * 512 + j] = guest_byte(first_sector + s, j);
}

}  // namespace

extern "C" int main(int argc, char** argv) {
  const bool registers = vdrv_test::flag(argc, argv, "registers");
  const bool ro = vdrv_test::flag(argc, argv, "ro");
  const int index = vdrv::find_device(vdrv::kIdBlock);
  if (index < 0) return fail("no virtio-blk device", -1);
  const char* error = nullptr;
  Blk* blk = Blk::open(static_cast<uint32_t>(index), registers, &error);
  if (blk == nullptr) {
    rt::printf("blk_test: FAIL: open: %s\n", error);
    return 1;
  }
  rt::hc_boot_ready();
  if (!registers && !rings_in_queue_area(*rt::device(static_cast<uint32_t>(index)))) {
    return fail("rings outside the VMM_MEM_QUEUES region", 0);
  }
  char id[21] = {};
  if (uint8_t st = blk->get_id(id); st != vdrv::kBlkOk) return fail("get-id", st);
  rt::printf("blk_test: capacity %lu sectors, id \"%s\", %s, %s path\n", static_cast<unsigned long>(blk->capacity()), id,
             blk->read_only() ? "read-only" : "read-write", registers ? "register" : "preconfigured");
  if (blk->capacity() < 64) return fail("disk smaller than 64 sectors", 0);

  auto* buf = static_cast<uint8_t*>(malloc(32 * 512));
  if (uint8_t st = blk->read(0, buf, 4096); st != vdrv::kBlkOk) return fail("read sectors 0..7", st);
  for (uint64_t s = 0; s < 8; ++s)
    for (size_t j = 0; j < 512; ++j)
      if (buf[s * 512 + j] != host_byte(s, j)) return fail("sector content differs from the host's pattern", 0);

  fill(buf, 8, 8);
  const uint8_t wst = blk->write(8, buf, 4096);
  if (ro) {
    if (wst != vdrv::kBlkIoErr) return fail("write to a read-only disk did not fail with IOERR", wst);
  } else {
    if (wst != vdrv::kBlkOk) return fail("write sectors 8..15", wst);
    if (uint8_t st = blk->flush(); st != vdrv::kBlkOk) return fail("flush", st);
    BlkIo ios[32];
    fill(buf, 16, 32);
    for (int k = 0; k < 32; ++k) {
      ios[k].type = vdrv::kBlkOut;
      ios[k].sector = 16 + static_cast<uint64_t>(k);
      ios[k].data = buf + k * 512;
      ios[k].length = 512;
    }
    if (size_t ok = blk->run(ios, 32); ok != 32) return fail("batched writes", static_cast<int>(ok));
    if (uint8_t st = blk->flush(); st != vdrv::kBlkOk) return fail("flush after the batch", st);
    memset(buf, 0, 4096);
    if (uint8_t st = blk->read(8, buf, 4096); st != vdrv::kBlkOk) return fail("read back", st);
    for (size_t j = 0; j < 4096; ++j)
      if (buf[j] != guest_byte(8 + j / 512, j % 512)) return fail("read back differs", 0);
  }
  if (uint8_t st = blk->read(blk->capacity(), buf, 512); st != vdrv::kBlkIoErr) return fail("read past the end", st);
  if (uint8_t st = blk->write(blk->capacity() - 1, buf, 1024); st != vdrv::kBlkIoErr) {
    return fail("write past the end", st);
  }
  rt::print("blk_test: ok\n");
  return 0;
}
