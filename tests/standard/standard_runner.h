// Boots the guest/standard test guests in-process with a platform configuration and
// collects what they print (KVM tests of tests/standard).
#pragma once

#include <chrono>
#include <string>

#include "vmm/instance.h"

namespace vmm::test {

struct StandardOptions {
  std::string cmdline;
  uint64_t memory = 16ull << 20;
  uint32_t vcpus = 1;
  PlatformConfig platform;
  std::chrono::seconds timeout{30};
};

struct StandardRun {
  bool started = false;
  std::string start_error;  // when !started: Instance::create/run's error
  ExitInfo exit;
  std::string console;
  BootTimes times;
};

// Boots guests/<image> on this thread until it ends.
StandardRun run_standard(const std::string& image, const StandardOptions& options);

// True when the guest printed "VERDICT PASS" and no "FAIL" line.
bool passed(const StandardRun& run);
// Catch2 checks: the guest started, exited by itself (debug-exit port) and passed; the
// console and any start error are shown on failure.
void require_pass(const StandardRun& run);

// A file of `size` bytes in the pattern the guests check (byte i = (i * 131 + 7) mod
// 256), removed when the object is destroyed.
class PatternFile {
 public:
  explicit PatternFile(size_t size);
  ~PatternFile();
  PatternFile(const PatternFile&) = delete;
  PatternFile& operator=(const PatternFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vmm::test
