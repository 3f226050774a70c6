// Boots test guests in-process for KVM tests and captures what they print.
#pragma once

#include <chrono>
#include <thread>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vmm/instance.h"

namespace vmm::test {

// Console output collected from a vCPU thread.
class ConsoleCapture {
 public:
  void append(std::string_view s) {
    std::lock_guard lock(mutex_);
    text_.append(s);
  }
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

struct GuestRun {
  std::unique_ptr<Instance> instance;
  std::shared_ptr<ConsoleCapture> console = std::make_shared<ConsoleCapture>();
};

// An instance of guests/<image> with the console captured; not started.
GuestRun make_guest(const std::string& image, const std::string& cmdline = "", uint64_t memory = 4ull << 20,
                    uint32_t vcpus = 1);
// Creates, runs on this thread to the end, returns the exit.
struct Finished {
  ExitInfo exit;
  std::string console;
  InstanceStats stats;
  BootTimes times;
};
Finished run_guest(const std::string& image, const std::string& cmdline = "", uint64_t memory = 4ull << 20,
                   uint32_t vcpus = 1);

// Process resources for leak checks.
struct ProcessCounts {
  size_t fds = 0;
  size_t threads = 0;
  size_t mappings = 0;
  size_t rss_kib = 0;
};
ProcessCounts process_counts();

}  // namespace vmm::test
