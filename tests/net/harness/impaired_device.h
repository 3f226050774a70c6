// A NetDevice decorator that loses, duplicates and reorders frames in both directions:
// the fallback for the netem tests on kernels without sch_netem (like our CI hosts).
// Reordering holds a frame back and releases it after the next frame of the same
// direction, or at the end of the batch (receive() call or flush()) at the latest, so the
// device never keeps a frame while the loop sleeps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/net_device.h"

namespace nettest {

struct Impairment {
  double loss = 0;     // probability a frame is dropped
  double duplicate = 0;
  double reorder = 0;  // probability a frame is held back behind the next one
};

// Parses "loss=5,reorder=25,dup=2" (percentages, any subset) into *out.
bool parse_impairment(const std::string& spec, Impairment* out);

class ImpairedDevice final : public gnet::NetDevice, private gnet::FrameSink {
 public:
  ImpairedDevice(gnet::NetDevice& inner, const Impairment& rx, const Impairment& tx, uint64_t seed)
      : inner_(inner), rx_(rx), tx_(tx), state_(seed ? seed : 1) {}

  void mac(uint8_t out[6]) const override { inner_.mac(out); }
  size_t mtu() const override { return inner_.mtu(); }
  bool send(const gnet::Slice* pieces, size_t count) override;
  void flush() override;
  size_t receive(gnet::FrameSink& sink, size_t budget) override;

  uint64_t dropped() const { return dropped_; }
  uint64_t duplicated() const { return duplicated_; }
  uint64_t reordered() const { return reordered_; }

 private:
  using Frame = std::vector<uint8_t>;
  enum class Fate { kDrop, kHold, kPass, kDouble };

  void on_frame(const uint8_t* frame, size_t length) override;
  Fate decide(const Impairment& p);
  double uniform();
  bool send_frame(const Frame& f);

  gnet::NetDevice& inner_;
  Impairment rx_, tx_;
  uint64_t state_;
  gnet::FrameSink* sink_ = nullptr;
  std::vector<Frame> rx_held_, tx_held_;
  uint64_t dropped_ = 0, duplicated_ = 0, reordered_ = 0;
};

}  // namespace nettest
