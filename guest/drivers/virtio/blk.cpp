#include "virtio/blk.h"

#include "rt/heap.h"

namespace vdrv {
namespace {
constexpr unsigned kFRo = 5, kFFlush = 9, kFBlkSize = 6, kFSegMax = 2, kFSizeMax = 1;
constexpr uint64_t kWanted = (1ull << kFRo) | (1ull << kFFlush) | (1ull << kFBlkSize) | (1ull << kFSegMax) |
                             (1ull << kFSizeMax) | (1ull << kFEventIdx);
}  // namespace

Blk* Blk::open(uint32_t index, bool use_registers, const char** error) {
  auto* b = new Blk();
  if (!b->transport_.open(index, kWanted, use_registers)) {
    *error = b->transport_.error();
    delete b;
    return nullptr;
  }
  b->transport_.read_config(0, &b->capacity_, 8);  // 5.2.4 capacity
  b->read_only_ = b->transport_.has(kFRo);
  // Three descriptors per request: header, data, status (descriptor 3k heads slot k).
  b->slots_ = b->transport_.ring(0).size() / 3;
  b->slots_mem_ = static_cast<Slot*>(calloc(b->slots_, sizeof(Slot)));
  if (b->slots_mem_ == nullptr) {
    *error = "out of memory";
    delete b;
    return nullptr;
  }
  return b;
}

Blk* Blk::open_first(const char** error) {
  int index = find_device(kIdBlock);
  if (index < 0) {
    *error = "no virtio-blk device";
    return nullptr;
  }
  return open(static_cast<uint32_t>(index), false, error);
}

size_t Blk::run(BlkIo* ios, size_t count) {
  Ring& ring = transport_.ring(0);
  size_t ok = 0;
  for (size_t done = 0; done < count;) {
    const size_t batch = count - done < slots_ ? count - done : slots_;
    for (size_t k = 0; k < batch; ++k) {
      BlkIo& io = ios[done + k];
      Slot& s = slots_mem_[k];
      s = {io.type, 0, io.sector, kBlkPending, &io};
      const auto head = static_cast<uint16_t>(3 * k);
      const bool device_writes = io.type == kBlkIn || io.type == kBlkGetId;
      Desc* d = &ring.desc(head);
      d[0] = {reinterpret_cast<uint64_t>(&s), 16, kDescNext, static_cast<uint16_t>(head + 1)};
      uint16_t status_desc = static_cast<uint16_t>(head + 1);
      if (io.length > 0) {
        d[1] = {reinterpret_cast<uint64_t>(io.data), io.length,
                static_cast<uint16_t>(kDescNext | (device_writes ? kDescWrite : 0)), static_cast<uint16_t>(head + 2)};
        status_desc = static_cast<uint16_t>(head + 2);
      }
      ring.desc(status_desc) = {reinterpret_cast<uint64_t>(&s.status), 1, kDescWrite, 0};
      ring.push(head);
    }
    ring.publish();
    if (ring.needs_notify()) transport_.notify(1);
    for (size_t left = batch; left > 0;) {
      uint16_t id;
      uint32_t len;
      if (!ring.pop_used(&id, &len)) {
        __builtin_ia32_pause();  // a lean device completes before notify returns; others: poll
        continue;
      }
      Slot& s = slots_mem_[id / 3];
      s.io->status = s.status;
      ok += s.status == kBlkOk;
      --left;
    }
    done += batch;
  }
  return ok;
}

uint8_t Blk::one(uint32_t type, uint64_t sector, void* data, uint32_t length) {
  BlkIo io;
  io.type = type;
  io.sector = sector;
  io.data = data;
  io.length = length;
  run(&io, 1);
  return io.status;
}

uint8_t Blk::read(uint64_t sector, void* data, uint32_t length) { return one(kBlkIn, sector, data, length); }
uint8_t Blk::write(uint64_t sector, const void* data, uint32_t length) {
  return one(kBlkOut, sector, const_cast<void*>(data), length);
}
uint8_t Blk::flush() { return one(kBlkFlush, 0, nullptr, 0); }
uint8_t Blk::get_id(char out[20]) { return one(kBlkGetId, 0, out, 20); }

}  // namespace vdrv
