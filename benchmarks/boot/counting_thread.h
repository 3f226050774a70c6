// A thread that runs jobs with its system calls counted (SyscallCounter::Scope::
// ThreadAndLater, opened on it), so that the thread taking the timed samples never carries
// a perf context: on our nested PVM host a thread with one, even disabled, enters a guest
// ~30-50 µs slower (docs/coldstart.md, "Counts that do not depend on the machine's speed").
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "../support/syscall_counter.h"
#include "vmm/result.h"

namespace vmm::bench {

class CountingThread {
 public:
  using Job = std::function<void(const SyscallCounter&)>;

  // Starts the thread and opens its counter there; the error says why it cannot count.
  static Result<std::unique_ptr<CountingThread>> start();
  ~CountingThread();  // ends and joins the thread
  CountingThread(const CountingThread&) = delete;
  CountingThread& operator=(const CountingThread&) = delete;

  // Runs job(counter) on the counting thread and waits for it to return.
  void run(const Job& job);

 private:
  CountingThread() = default;
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Result<SyscallCounter>> counter_;  // set by the thread once it opened it
  const Job* job_ = nullptr;                       // the job in progress, if any
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace vmm::bench
