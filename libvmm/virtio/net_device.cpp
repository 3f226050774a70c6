#include "virtio/net_device.h"

#include <linux/if_tun.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "virtio/chain_io.h"

namespace vmm::virtio {
namespace {

constexpr size_t kHeader = sizeof(net::Header);
constexpr uint64_t kOffloadFeatures = bit(net::kFCsum) | bit(net::kFGuestCsum) | bit(net::kFGuestTso4) |
                                      bit(net::kFGuestTso6) | bit(net::kFGuestEcn) | bit(net::kFHostTso4) |
                                      bit(net::kFHostTso6) | bit(net::kFHostEcn);

std::array<uint8_t, 6> random_mac() {
  std::array<uint8_t, 6> mac{};
  if (::getrandom(mac.data(), mac.size(), 0) != static_cast<ssize_t>(mac.size())) mac = {0, 0x16, 0x3e, 1, 2, 3};
  mac[0] = static_cast<uint8_t>((mac[0] & 0xfe) | 0x02);  // unicast, locally administered
  return mac;
}

}  // namespace

Result<std::shared_ptr<NetDevice>> NetDevice::create(std::string name, const NetConfig& config,
                                                     const GuestMemory& mem) {
  if (config.tap_fd >= 0 && !config.tap_name.empty()) {
    return Error(fmt::format("{}: give either a tap name or a tap fd, not both", name));
  }
  auto tap = config.tap_fd >= 0 ? Tap::adopt(config.tap_fd) : Tap::open(config.tap_name);
  if (!tap) return std::move(tap).error().with_context(name);
  name += fmt::format(" (tap {})", tap->name());
  return create(std::move(name), std::move(*tap), config.mac.value_or(random_mac()), mem);
}

std::shared_ptr<NetDevice> NetDevice::create(std::string name, Tap tap, std::array<uint8_t, 6> mac,
                                             const GuestMemory& mem) {
  net::Config cfg{};  // 5.1.4
  std::memcpy(cfg.mac, mac.data(), 6);
  cfg.status = net::kStatusLinkUp;
  cfg.max_virtqueue_pairs = 1;
  cfg.mtu = 1500;
  Identity identity;
  identity.device_id = kIdNet;
  identity.features = bit(net::kFMac) | bit(net::kFStatus) | bit(net::kFMrgRxbuf) | bit(kFRingEventIdx) |
                      bit(kFRingIndirectDesc) | (tap.supports_offloads() ? kOffloadFeatures : 0);
  identity.queue_count = 2;
  identity.queue_max = kQueueMax;
  identity.config.resize(sizeof cfg);
  std::memcpy(identity.config.data(), &cfg, sizeof cfg);
  return std::shared_ptr<NetDevice>(new NetDevice(std::move(name), std::move(identity), mem, std::move(tap)));
}

NetDevice::NetDevice(std::string name, Identity identity, const GuestMemory& mem, Tap tap)
    : VirtioDevice(std::move(name), std::move(identity), mem), tap_(std::move(tap)), bounce_(kMaxFrame) {}

const char* NetDevice::check_features(uint64_t f) const {
  auto has = [f](unsigned b) { return ((f >> b) & 1) != 0; };
  // 5.1.3.1: offload features depend on the checksum features.
  if ((has(net::kFGuestTso4) || has(net::kFGuestTso6) || has(net::kFGuestEcn)) && !has(net::kFGuestCsum)) {
    return "VIRTIO_NET_F_GUEST_TSO4/6/ECN need VIRTIO_NET_F_GUEST_CSUM";
  }
  if ((has(net::kFHostTso4) || has(net::kFHostTso6) || has(net::kFHostEcn)) && !has(net::kFCsum)) {
    return "VIRTIO_NET_F_HOST_TSO4/6/ECN need VIRTIO_NET_F_CSUM";
  }
  if (has(net::kFGuestEcn) && !has(net::kFGuestTso4) && !has(net::kFGuestTso6)) return "GUEST_ECN needs GUEST_TSO4/6";
  if (has(net::kFHostEcn) && !has(net::kFHostTso4) && !has(net::kFHostTso6)) return "HOST_ECN needs HOST_TSO4/6";
  return nullptr;
}

void NetDevice::on_driver_ok() {
  // The tap may hand us only what the driver can take (5.1.6.4).
  unsigned flags = 0;
  if (feature(net::kFGuestCsum)) flags |= TUN_F_CSUM;
  if (feature(net::kFGuestTso4)) flags |= TUN_F_TSO4;
  if (feature(net::kFGuestTso6)) flags |= TUN_F_TSO6;
  if (feature(net::kFGuestEcn)) flags |= TUN_F_TSO_ECN;
  if (auto r = tap_.set_offloads(flags); !r) error(r.error().message());
  stalled_ = false;
  // Every pass over the tap looks at the rx ring anyway (process_host): the driver need
  // not notify new rx buffers until we stall and ask for it (2.7.10).
  if (Virtqueue* rx = queue(net::kRxQueue)) rx->set_notification(false);
}

void NetDevice::on_reset() {
  pending_ = 0;
  stalled_ = false;
  if (auto r = tap_.set_offloads(0); !r) error(r.error().message());
}

void NetDevice::process_queue(uint16_t q) {
  if (q == net::kTxQueue) drain(q, [this](const DescriptorChain& c) { return transmit(c); });
  // New rx buffers (or a tx batch): move what the tap holds, unless stalled and no
  // buffers arrived (process_host() finds out cheaply).
  process_host();
}

uint32_t NetDevice::transmit(const DescriptorChain& chain) {
  // 5.1.6.2: a tx chain is the header then the frame, all device-readable.
  const char* problem = nullptr;
  net::Header header;
  if (chain.writable_bytes != 0) problem = "has device-writable buffers";
  else if (!read_struct(chain, 0, &header)) problem = "is shorter than the 12-byte header";
  else if (chain.readable_bytes > kMaxFrame) problem = "is larger than 64 KiB";
  if (problem != nullptr) {
    DeviceCounters::bump(counters_.tx_dropped);
    error(fmt::format("tx chain at descriptor {} {}: dropped", chain.head, problem));
    return 0;
  }
  // The header copy, sanitised: offloads the driver did not negotiate are not requested.
  if (!feature(net::kFCsum)) header.flags = 0;
  if (!feature(net::kFHostTso4) && !feature(net::kFHostTso6)) header.gso_type = 0;
  header.num_buffers = 0;
  iov_.clear();
  iov_.push_back({&header, kHeader});
  chain_iovecs(chain, false, kHeader, chain.readable_bytes - kHeader, iov_);
  ssize_t n;
  do {
    n = ::writev(tap_.fd(), iov_.data(), static_cast<int>(iov_.size()));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    DeviceCounters::bump(counters_.tx_dropped);  // EAGAIN: tap queue full; EINVAL: bad GSO header
    if (errno != EAGAIN) error(fmt::format("tx of {} bytes: writev: {}", chain.readable_bytes, std::strerror(errno)));
    return 0;
  }
  DeviceCounters::bump(counters_.tx_packets);
  DeviceCounters::bump(counters_.tx_bytes, chain.readable_bytes - kHeader);
  return 0;  // 5.1.6.2: the device writes nothing into tx buffers
}

bool NetDevice::read_frame() {
  for (;;) {
    ssize_t n = ::read(tap_.fd(), bounce_.data(), bounce_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (errno != EAGAIN) error(fmt::format("rx: read from the tap: {}", std::strerror(errno)));
      return false;
    }
    if (static_cast<size_t>(n) <= kHeader) {  // no frame behind the header: nothing to deliver
      DeviceCounters::bump(counters_.rx_dropped);
      continue;
    }
    pending_ = static_cast<size_t>(n);
    return true;
  }
}

bool NetDevice::host_work_pending() {
  // A frame is waiting and the guest has posted buffers since we stalled.
  if (pending_ == 0) return false;
  Virtqueue* vq = queue(net::kRxQueue);
  return vq != nullptr && vq->pending() > 0;
}

bool NetDevice::process_host() {
  Virtqueue* vq = queue(net::kRxQueue);
  if (vq == nullptr) return false;
  if (stalled_ && vq->pending() == 0) return false;
  bool delivered = false;
  for (int budget = kRxBudget; budget > 0; --budget) {
    if (pending_ == 0 && !read_frame()) break;
    const Rx r = deliver(*vq, pending_);
    if (r == Rx::Broken) return delivered;
    if (r == Rx::NoBuffers) {
      // Stop reading the tap until the driver adds buffers (it notifies: 2.7.10).
      if (!stalled_) DeviceCounters::bump(counters_.rx_stalls);
      stalled_ = true;
      publish(*vq);
      if (vq->set_notification(true)) continue;  // buffers arrived meanwhile
      set_host_interest(false);
      return delivered;
    }
    delivered |= r == Rx::Delivered;
    pending_ = 0;
  }
  publish(*vq);
  stalled_ = false;
  vq->set_notification(false);  // rx buffers are looked at on every pass: no kicks needed
  set_host_interest(true);
  return delivered;
}

NetDevice::Rx NetDevice::deliver(Virtqueue& vq, size_t frame_len) {
  const bool mergeable = feature(net::kFMrgRxbuf);
  auto* header = reinterpret_cast<net::Header*>(bounce_.data());
  // 5.1.6.4: without GUEST_CSUM the device sets flags to 0 (and the tap, without
  // TUN_F_CSUM, delivers fully checksummed frames).
  if (!feature(net::kFGuestCsum)) header->flags = 0;
  header->num_buffers = 1;
  const Virtqueue::Mark mark = vq.mark();
  size_t offset = 0;
  uint16_t chains = 0;
  while (offset < frame_len) {
    switch (vq.pop(chain_)) {
      case Virtqueue::Pop::Empty:
        vq.rollback(mark);
        return Rx::NoBuffers;
      case Virtqueue::Pop::Broken:
        vq.rollback(mark);
        needs_reset(fmt::format("queue 0: {}", vq.broken_reason()));
        return Rx::Broken;
      case Virtqueue::Pop::BadChain:
        error(fmt::format("queue 0: chain at descriptor {} refused: {}", chain_.head, to_string(chain_.error)));
        vq.add_used(chain_.head, 0);
        continue;
      case Virtqueue::Pop::Chain:
        break;
    }
    // 5.1.6.3: rx buffers are device-writable and the first holds at least the header.
    if (chain_.readable_bytes != 0 || (chains == 0 && chain_.writable_bytes < kHeader)) {
      error(fmt::format("queue 0: rx chain at descriptor {} is not a writable buffer of >= 12 bytes", chain_.head));
      vq.add_used(chain_.head, 0);
      continue;
    }
    const size_t n = write_to_chain(chain_, 0, std::span(bounce_.data() + offset, frame_len - offset));
    vq.add_used(chain_.head, static_cast<uint32_t>(n));
    if (chains++ == 0) first_ = chain_;
    offset += n;
    if (!mergeable) break;  // one buffer per frame
  }
  if (offset < frame_len) {
    // Larger than the buffer and no MRG_RXBUF: drop it; the buffer serves the next frame.
    vq.rollback(mark);
    DeviceCounters::bump(counters_.rx_dropped);
    error(fmt::format("rx frame of {} bytes does not fit the guest's buffer: dropped", frame_len - kHeader));
    return Rx::Dropped;
  }
  if (chains > 1) {
    const uint16_t count = chains;  // 5.1.6.4: num_buffers = chains used by this frame
    write_to_chain(first_, offsetof(net::Header, num_buffers), std::as_bytes(std::span(&count, 1)));
  }
  DeviceCounters::bump(counters_.rx_packets);
  DeviceCounters::bump(counters_.rx_bytes, frame_len - kHeader);
  return Rx::Delivered;
}

}  // namespace vmm::virtio
