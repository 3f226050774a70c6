#include "virtio/blk_device.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "virtio/chain_io.h"

namespace vmm::virtio {
namespace {

// preadv/pwritev2 of the whole of `iov` at `offset`, resuming after short transfers and
// EINTR. Returns false on an error or an unexpected end of file.
bool full_io(int fd, std::vector<iovec>& iov, uint64_t offset, bool write, int write_flags) {
  errno = 0;
  size_t first = 0;
  while (first < iov.size()) {
    const int count = static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX));
    const off_t at = static_cast<off_t>(offset);
    ssize_t n = write ? ::pwritev2(fd, &iov[first], count, at, write_flags) : ::preadv(fd, &iov[first], count, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    offset += static_cast<uint64_t>(n);
    for (size_t left = static_cast<size_t>(n); left > 0;) {
      const size_t take = std::min(left, iov[first].iov_len);
      iov[first].iov_base = static_cast<std::byte*>(iov[first].iov_base) + take;
      iov[first].iov_len -= take;
      left -= take;
      if (iov[first].iov_len == 0) ++first;
    }
    while (first < iov.size() && iov[first].iov_len == 0) ++first;
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<BlkDevice>> BlkDevice::create(std::string name, const DiskConfig& config,
                                                     const GuestMemory& mem) {
  const int flags = (config.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
  UniqueFd file(::open(config.path.c_str(), flags));
  if (!file) return Error::from_errno(fmt::format("{}: opening disk image {}", name, config.path));
  const off_t size = ::lseek(file.get(), 0, SEEK_END);  // files and block devices alike
  if (size < 0) return Error::from_errno(fmt::format("{}: size of disk image {}", name, config.path));
  struct stat st {};
  ::fstat(file.get(), &st);

  BlkLimits limits;
  limits.capacity = static_cast<uint64_t>(size) / blk::kSectorSize;  // a partial last sector is not exposed
  limits.seg_max = kSegMax;
  limits.size_max = kSizeMax;
  limits.read_only = config.read_only;

  blk::Config cfg{};  // 5.2.4
  cfg.capacity = limits.capacity;
  cfg.size_max = kSizeMax;
  cfg.seg_max = kSegMax;
  cfg.blk_size = blk::kSectorSize;
  Identity identity;
  identity.device_id = kIdBlock;
  identity.features = bit(blk::kFSizeMax) | bit(blk::kFSegMax) | bit(blk::kFBlkSize) | bit(blk::kFFlush) |
                      bit(kFRingEventIdx) | bit(kFRingIndirectDesc) | (config.read_only ? bit(blk::kFRo) : 0);
  identity.queue_count = 1;
  identity.queue_max = kQueueMax;
  identity.config.resize(sizeof cfg);
  std::memcpy(identity.config.data(), &cfg, sizeof cfg);
  std::string id = fmt::format("vmm-{:x}-{:x}", static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
  id.resize(std::min<size_t>(id.size(), blk::kIdBytes));
  return std::shared_ptr<BlkDevice>(
      new BlkDevice(std::move(name), std::move(identity), mem, std::move(file), limits, std::move(id)));
}

BlkDevice::BlkDevice(std::string name, Identity identity, const GuestMemory& mem, UniqueFd file, BlkLimits limits,
                     std::string id)
    : VirtioDevice(std::move(name), std::move(identity), mem), file_(std::move(file)), limits_(limits), id_(std::move(id)) {}

void BlkDevice::process_queue(uint16_t q) {
  limits_.flush_negotiated = feature(blk::kFFlush);
  drain(q, [this](const DescriptorChain& chain) { return execute(chain); });
}

uint32_t BlkDevice::execute(const DescriptorChain& chain) {
  const BlkParse p = parse_blk_request(chain, limits_);
  DeviceCounters::bump(counters_.requests);
  if (p.outcome == BlkParse::NoStatus) {
    error(fmt::format("request at descriptor {}: {}", chain.head, p.problem));
    return 0;
  }
  const BlkRequest& r = p.request;
  uint8_t status = blk::kSOk;
  uint64_t written = 0;  // data bytes put into device-writable buffers
  if (p.outcome != BlkParse::Ok) {
    status = p.outcome == BlkParse::Unsupp ? blk::kSUnsupp : blk::kSIoErr;
    error(fmt::format("request type {} sector {}: {}", r.type, r.sector, p.problem));
  } else if (r.type == blk::kTGetId) {
    std::byte id[blk::kIdBytes] = {};
    std::memcpy(id, id_.data(), id_.size());
    written = write_to_chain(chain, 0, id);
  } else {
    status = transfer(chain, r);
    if (status == blk::kSOk && r.type == blk::kTIn) written = r.data_len;
  }
  write_to_chain(chain, r.status_offset, std::as_bytes(std::span(&status, 1)));
  return static_cast<uint32_t>(written + 1);
}

uint8_t BlkDevice::transfer(const DescriptorChain& chain, const BlkRequest& r) {
  if (r.type == blk::kTFlush) {
    // Acknowledged only once everything written before is durable.
    if (::fdatasync(file_.get()) != 0) {
      error(fmt::format("flush: fdatasync failed: {}", std::strerror(errno)));
      return blk::kSIoErr;
    }
    DeviceCounters::bump(counters_.flushes);
    return blk::kSOk;
  }
  const bool write = r.type == blk::kTOut;
  iov_.clear();
  chain_iovecs(chain, write ? false : true, write ? sizeof(blk::RequestHeader) : 0, r.data_len, iov_);
  // Without VIRTIO_BLK_F_FLUSH the driver cannot ask for durability: give it every time.
  const int flags = write && !limits_.flush_negotiated ? RWF_DSYNC : 0;
  if (!full_io(file_.get(), iov_, r.sector * blk::kSectorSize, write, flags)) {
    error(fmt::format("{} of {} bytes at sector {} failed: {}", write ? "write" : "read", r.data_len, r.sector,
                      errno ? std::strerror(errno) : "unexpected end of file"));
    return blk::kSIoErr;
  }
  DeviceCounters::bump(write ? counters_.write_bytes : counters_.read_bytes, r.data_len);
  return blk::kSOk;
}

}  // namespace vmm::virtio
