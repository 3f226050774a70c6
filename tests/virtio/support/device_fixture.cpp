#include "device_fixture.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "virtio/virtio_spec.h"

namespace vmm::virtio::test {

TempFile::TempFile(const std::vector<uint8_t>& content) {
  const char* dir = std::getenv("TMPDIR");
  std::string templ = std::string(dir ? dir : "/tmp") + "/vmm-virtio-test-XXXXXX";
  const int fd = ::mkstemp(templ.data());
  if (fd < 0) std::abort();
  if (!content.empty() && ::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) std::abort();
  ::close(fd);
  path_ = templ;
}

TempFile::~TempFile() { ::unlink(path_.c_str()); }

std::vector<uint8_t> TempFile::read() const {
  std::ifstream in(path_, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<uint8_t> patterned_disk(uint64_t sectors) {
  std::vector<uint8_t> d(sectors * 512);
  for (uint64_t s = 0; s < sectors; ++s)
    for (size_t j = 0; j < 512; ++j) d[s * 512 + j] = static_cast<uint8_t>((s * 7 + j) & 0xff);
  return d;
}

uint32_t Mmio::read(uint64_t offset) const {
  uint8_t b[4];
  dev.mmio_read(offset, b);
  uint32_t v;
  std::memcpy(&v, b, 4);
  return v;
}

void Mmio::write(uint64_t offset, uint32_t value) const {
  uint8_t b[4];
  std::memcpy(b, &value, 4);
  dev.mmio_write(offset, b);
}

uint8_t Mmio::read8(uint64_t offset) const {
  uint8_t b[1];
  dev.mmio_read(offset, b);
  return b[0];
}

uint16_t Mmio::read16(uint64_t offset) const {
  uint8_t b[2];
  dev.mmio_read(offset, b);
  return static_cast<uint16_t>(b[0] | b[1] << 8);
}

void Mmio::write8(uint64_t offset, uint8_t value) const {
  uint8_t b[1] = {value};
  dev.mmio_write(offset, b);
}

uint64_t Mmio::device_features() const {
  write(mmio::kDeviceFeaturesSel, 1);
  uint64_t f = uint64_t{read(mmio::kDeviceFeatures)} << 32;
  write(mmio::kDeviceFeaturesSel, 0);
  return f | read(mmio::kDeviceFeatures);
}

void Mmio::driver_features(uint64_t features) const {
  write(mmio::kDriverFeaturesSel, 1);
  write(mmio::kDriverFeatures, static_cast<uint32_t>(features >> 32));
  write(mmio::kDriverFeaturesSel, 0);
  write(mmio::kDriverFeatures, static_cast<uint32_t>(features));
}

void Mmio::setup_queue(uint32_t q, const Virtqueue::Layout& l) const {
  write(mmio::kQueueSel, q);
  write(mmio::kQueueNum, l.size);
  write(mmio::kQueueDescLow, static_cast<uint32_t>(l.desc));
  write(mmio::kQueueDescHigh, static_cast<uint32_t>(l.desc >> 32));
  write(mmio::kQueueDriverLow, static_cast<uint32_t>(l.avail));
  write(mmio::kQueueDriverHigh, static_cast<uint32_t>(l.avail >> 32));
  write(mmio::kQueueDeviceLow, static_cast<uint32_t>(l.used));
  write(mmio::kQueueDeviceHigh, static_cast<uint32_t>(l.used >> 32));
  write(mmio::kQueueReady, 1);
}

BlkFixture::BlkFixture(bool read_only, uint64_t sectors) : file(patterned_disk(sectors)) {
  auto created = BlkDevice::create("virtio-blk-test", {file.path(), read_only}, ram.memory());
  if (!created) std::abort();
  dev = std::move(*created);
}

void BlkFixture::activate(uint64_t features) {
  const Virtqueue::Layout layouts[] = {q.layout()};
  if (!dev->preconfigure(features, layouts)) std::abort();
}

uint16_t BlkFixture::request(uint32_t type, uint64_t sector, uint32_t data_len, uint64_t* data_gpa,
                             uint64_t* status_gpa) {
  const blk::RequestHeader h{type, 0, sector};
  ChainBuilder c = q.chain();
  c.readable_struct(h);
  if (data_len > 0) {
    if (type == blk::kTOut) {
      std::vector<std::byte> data(data_len, std::byte{0x5a});
      c.readable(data);
    } else {
      c.writable(data_len, data_gpa);
    }
  }
  c.writable(1, status_gpa);
  return c.publish();
}

}  // namespace vmm::virtio::test
