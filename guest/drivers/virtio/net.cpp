#include "virtio/net.h"

#include "rt/console.h"
#include "rt/heap.h"
#include "rt/string.h"

namespace vdrv {
namespace {
constexpr unsigned kFMac = 5, kFStatus = 16;
constexpr uint16_t kRx = 0, kTx = 1;
}  // namespace

Net* Net::open(uint32_t index, bool use_registers, const char** error) {
  auto* n = new Net();
  const uint64_t wanted = (1ull << kFMac) | (1ull << kFStatus) | (1ull << kFEventIdx);
  if (!n->transport_.open(index, wanted, use_registers)) {
    *error = n->transport_.error();
  } else if (!n->setup()) {
    *error = "out of memory for buffers";
  } else {
    return n;
  }
  delete n;
  return nullptr;
}

bool Net::setup() {
  if (transport_.has(kFMac)) {
    transport_.read_config(0, mac_, 6);  // 5.1.4
  } else {
    const uint8_t fallback[6] = {0x02, 0, 0, 0, 0, 1};
    memcpy(mac_, fallback, 6);
  }
  Ring& rx = transport_.ring(kRx);
  Ring& tx = transport_.ring(kTx);
  const uint16_t rx_count = rx.size() < kRxBuffers ? rx.size() : kRxBuffers;
  rx_mem_ = static_cast<uint8_t*>(malloc(size_t{rx_count} * kBufferSize));
  tx_mem_ = static_cast<uint8_t*>(malloc(size_t{kTxBuffers} * kBufferSize));
  if (rx_mem_ == nullptr || tx_mem_ == nullptr || tx.size() < kTxBuffers) return false;
  // 5.1.6.3: rx buffers are device-writable, one descriptor each (frames fit 2 KiB).
  for (uint16_t i = 0; i < rx_count; ++i) {
    rx.desc(i) = {reinterpret_cast<uint64_t>(rx_buffer(i)), kBufferSize, kDescWrite, 0};
    rx.push(i);
  }
  rx.publish();
  if (rx.needs_notify()) transport_.notify(1u << kRx);
  for (uint16_t i = 0; i < kTxBuffers; ++i) tx_free_[tx_free_count_++] = i;
  return true;
}

void Net::mac(uint8_t out[6]) const { memcpy(out, mac_, 6); }

void Net::reclaim_tx() {
  uint16_t id;
  uint32_t len;
  while (transport_.ring(kTx).pop_used(&id, &len)) {
    if (id < kTxBuffers) tx_free_[tx_free_count_++] = id;
  }
}

bool Net::send(const gnet::Slice* pieces, size_t count) {
  if (tx_free_count_ == 0) reclaim_tx();
  if (tx_free_count_ == 0) return false;
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) total += pieces[i].length;
  if (total > kBufferSize - kHeaderSize) return false;
  const uint16_t i = tx_free_[--tx_free_count_];
  uint8_t* p = tx_buffer(i);
  memset(p, 0, kHeaderSize);  // 5.1.6.2: no offloads requested
  size_t at = kHeaderSize;
  for (size_t k = 0; k < count; ++k) {
    memcpy(p + at, pieces[k].data, pieces[k].length);
    at += pieces[k].length;
  }
  Ring& tx = transport_.ring(kTx);
  tx.desc(i) = {reinterpret_cast<uint64_t>(p), static_cast<uint32_t>(at), 0, 0};
  tx.push(i);
  tx_pending_ = true;
  ++sent_;
  return true;
}

void Net::flush() {
  if (!tx_pending_) return;
  tx_pending_ = false;
  Ring& tx = transport_.ring(kTx);
  tx.publish();
  if (tx.needs_notify()) transport_.notify(1u << kTx);
  reclaim_tx();  // a lean device has already sent them
}

size_t Net::receive(gnet::FrameSink& sink, size_t budget) {
  Ring& rx = transport_.ring(kRx);
  size_t delivered = 0, recycled = 0;
  uint16_t id;
  uint32_t len;
  while (delivered < budget && rx.pop_used(&id, &len)) {
    if (id >= kRxBuffers) continue;  // not one of ours
    if (len > kHeaderSize && len <= kBufferSize) {
      sink.on_frame(rx_buffer(id) + kHeaderSize, len - kHeaderSize);
      ++delivered;
    }
    rx.push(id);  // recycle the buffer (its descriptor is unchanged)
    ++recycled;
  }
  received_ += delivered;
  if (recycled > 0) {
    rx.publish();
    if (rx.needs_notify()) transport_.notify(1u << kRx);  // only after the device ran dry
  }
  return delivered;
}

}  // namespace vdrv

gnet::NetDevice* virtio_net_open_first() {
  using namespace vdrv;
  const int index = find_device(kIdNet);
  if (index < 0) {
    rt::print("virtio-net: no device in the boot device table\n");
    return nullptr;
  }
  const char* error = nullptr;
  Net* net = Net::open(static_cast<uint32_t>(index), false, &error);
  if (net == nullptr) rt::printf("virtio-net: device %d: %s\n", index, error);
  return net;
}
