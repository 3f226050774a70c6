// The guest's main loop, shared by the unikernel and the host harness. Every iteration
// receives a batch of frames, runs due timers and the application, sends what became due
// and publishes it to the device with at most one notification. When an iteration found
// nothing to do, it waits for the next timer deadline (UINT64_MAX: none) or device work:
// no busy polling, and no exits at all while nothing is due.
#pragma once

#include "drivers/net_device.h"
#include "net/stack.h"

namespace gnet {

// How the loop reads the clock and sleeps: the wait hypercall in the guest, poll() on a
// TAP descriptor in the host harness, a fake in tests.
class Waiter {
 public:
  virtual uint64_t now_ns() = 0;
  // Returns at `deadline_ns` (guest clock, UINT64_MAX: never) or earlier when the device
  // may have work (or spuriously).
  virtual void wait_until(uint64_t deadline_ns) = 0;

 protected:
  ~Waiter() = default;
};

// The application's per-iteration hook: runs after input and timers, before transmit.
class Application {
 public:
  virtual void run(uint64_t now_ns) = 0;

 protected:
  ~Application() = default;
};

struct LoopStats {
  uint64_t iterations;
  uint64_t waits;
  uint64_t frames;
};

class EventLoop {
 public:
  static constexpr size_t kReceiveBudget = 64;

  EventLoop(NetDevice& device, Stack& stack, Application& app, Waiter& waiter)
      : device_(device), stack_(stack), app_(app), waiter_(waiter) {}

  // One iteration, then (when it was idle) one wait.
  void step();
  const LoopStats& stats() const { return stats_; }

 private:
  NetDevice& device_;
  Stack& stack_;
  Application& app_;
  Waiter& waiter_;
  LoopStats stats_ = {};
};

}  // namespace gnet
