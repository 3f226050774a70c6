#include "fake_device.h"

#include <cstring>

namespace nettest {

void FakeDevice::mac(uint8_t out[6]) const { std::memcpy(out, mac_.b, 6); }

bool FakeDevice::send(const gnet::Slice* pieces, size_t count) {
  if (refuse_sends) return false;
  ++sent_count;
  if (!keep_sent) return true;
  Frame f;
  for (size_t i = 0; i < count; ++i) {
    const auto* p = static_cast<const uint8_t*>(pieces[i].data);
    f.insert(f.end(), p, p + pieces[i].length);
  }
  sent.push_back(std::move(f));
  return true;
}

size_t FakeDevice::receive(gnet::FrameSink& sink, size_t budget) {
  size_t n = 0;
  while (n < budget && !inbox.empty()) {
    Frame f = std::move(inbox.front());
    inbox.pop_front();
    sink.on_frame(f.data(), f.size());
    ++n;
  }
  return n;
}

}  // namespace nettest
