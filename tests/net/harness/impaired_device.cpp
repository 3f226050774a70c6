#include "impaired_device.h"

#include <cstdlib>

namespace nettest {

bool parse_impairment(const std::string& spec, Impairment* out) {
  size_t pos = 0;
  while (pos < spec.size()) {
    size_t comma = spec.find(',', pos);
    std::string item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos) return false;
    double v = std::strtod(item.c_str() + eq + 1, nullptr) / 100.0;
    std::string key = item.substr(0, eq);
    if (key == "loss") {
      out->loss = v;
    } else if (key == "reorder") {
      out->reorder = v;
    } else if (key == "dup") {
      out->duplicate = v;
    } else {
      return false;
    }
    pos = comma == std::string::npos ? spec.size() : comma + 1;
  }
  return true;
}


double ImpairedDevice::uniform() {
  state_ ^= state_ << 13;  // xorshift64
  state_ ^= state_ >> 7;
  state_ ^= state_ << 17;
  return static_cast<double>(state_ >> 11) / static_cast<double>(1ull << 53);
}

ImpairedDevice::Fate ImpairedDevice::decide(const Impairment& p) {
  if (uniform() < p.loss) {
    ++dropped_;
    return Fate::kDrop;
  }
  if (uniform() < p.reorder) {
    ++reordered_;
    return Fate::kHold;
  }
  if (uniform() < p.duplicate) {
    ++duplicated_;
    return Fate::kDouble;
  }
  return Fate::kPass;
}

bool ImpairedDevice::send_frame(const Frame& f) {
  gnet::Slice s{f.data(), f.size()};
  return inner_.send(&s, 1);
}

bool ImpairedDevice::send(const gnet::Slice* pieces, size_t count) {
  Frame f;
  for (size_t i = 0; i < count; ++i) {
    const auto* p = static_cast<const uint8_t*>(pieces[i].data);
    f.insert(f.end(), p, p + pieces[i].length);
  }
  Fate fate = decide(tx_);
  if (fate == Fate::kDrop) return true;
  if (fate == Fate::kHold) {
    tx_held_.push_back(std::move(f));
    return true;
  }
  if (!send_frame(f)) return false;
  if (fate == Fate::kDouble) send_frame(f);
  for (const Frame& held : tx_held_) send_frame(held);  // released behind a later frame
  tx_held_.clear();
  return true;
}

void ImpairedDevice::flush() {
  for (const Frame& held : tx_held_) send_frame(held);
  tx_held_.clear();
  inner_.flush();
}

void ImpairedDevice::on_frame(const uint8_t* frame, size_t length) {
  Fate fate = decide(rx_);
  if (fate == Fate::kDrop) return;
  Frame f(frame, frame + length);
  if (fate == Fate::kHold) {
    rx_held_.push_back(std::move(f));
    return;
  }
  sink_->on_frame(f.data(), f.size());
  if (fate == Fate::kDouble) sink_->on_frame(f.data(), f.size());
  for (const Frame& held : rx_held_) sink_->on_frame(held.data(), held.size());
  rx_held_.clear();
}

size_t ImpairedDevice::receive(gnet::FrameSink& sink, size_t budget) {
  sink_ = &sink;
  size_t n = inner_.receive(*this, budget);
  for (const Frame& held : rx_held_) sink.on_frame(held.data(), held.size());
  rx_held_.clear();
  return n;
}

}  // namespace nettest
