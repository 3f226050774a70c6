// Per-device counters, bumped from whichever thread processes the device and read by the
// embedder through Instance::device_stats(). Relaxed atomics: counters, not synchronisation.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "vmm/device_config.h"

namespace vmm::virtio {

struct DeviceCounters {
  std::atomic<uint64_t> rx_packets{0}, rx_bytes{0}, tx_packets{0}, tx_bytes{0};
  std::atomic<uint64_t> rx_dropped{0}, tx_dropped{0}, rx_stalls{0};
  std::atomic<uint64_t> requests{0}, read_bytes{0}, write_bytes{0}, flushes{0};
  std::atomic<uint64_t> errors{0}, register_errors{0}, notifications{0}, interrupts{0};

  static void bump(std::atomic<uint64_t>& c, uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }

  // Remembers `message` as the latest error (rate: one string assignment per error).
  void note_error(std::string message) {
    std::lock_guard lock(error_mutex_);
    last_error_ = std::move(message);
  }

  DeviceStats snapshot(std::string name, bool needs_reset) const {
    auto get = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
    DeviceStats s;
    s.name = std::move(name);
    s.rx_packets = get(rx_packets), s.rx_bytes = get(rx_bytes);
    s.tx_packets = get(tx_packets), s.tx_bytes = get(tx_bytes);
    s.rx_dropped = get(rx_dropped), s.tx_dropped = get(tx_dropped), s.rx_stalls = get(rx_stalls);
    s.requests = get(requests), s.read_bytes = get(read_bytes), s.write_bytes = get(write_bytes);
    s.flushes = get(flushes), s.errors = get(errors), s.register_errors = get(register_errors);
    s.notifications = get(notifications), s.interrupts = get(interrupts);
    s.needs_reset = needs_reset;
    std::lock_guard lock(error_mutex_);
    s.last_error = last_error_;
    return s;
  }

 private:
  mutable std::mutex error_mutex_;
  std::string last_error_;
};

}  // namespace vmm::virtio
