#include "net/event_loop.h"

namespace gnet {

void EventLoop::step() {
  uint64_t now = waiter_.now_ns();
  stack_.set_now(now);
  size_t frames = device_.receive(stack_, kReceiveBudget);
  stack_.run_timers();
  app_.run(now);
  stack_.transmit();
  device_.flush();
  ++stats_.iterations;
  stats_.frames += frames;
  // Frames came in (more may be waiting) or output is still queued: go round again
  // without waiting. Otherwise sleep until the next deadline or device work.
  if (frames > 0 || stack_.has_pending_output()) return;
  uint64_t deadline = stack_.next_deadline();
  if (deadline > waiter_.now_ns()) {
    ++stats_.waits;
    waiter_.wait_until(deadline);
  }
}

}  // namespace gnet
