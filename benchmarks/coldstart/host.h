// Host helpers shared by the harness: the clock, small /proc and /sys file access, process
// counters, helper commands, and an epoll wrapper. No global state.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace coldstart {

// CLOCK_MONOTONIC in nanoseconds: the clock libvmm's BootTimes use, comparable across
// processes on one host.
int64_t now_ns();
// Milliseconds from `from` to `to`; NaN when either is 0 (not reached).
double ms_between(int64_t from, int64_t to);

vmm::Result<std::string> read_text(const std::string& path);
vmm::Result<void> write_text(const std::string& path, std::string_view text);
// The first integer in the file, or nullopt.
std::optional<int64_t> read_int(const std::string& path);

// What /proc says about one process (pid 0: this one). Fields are -1 when unreadable.
struct ProcCounters {
  int64_t fds = -1;
  int64_t vmas = -1;     // lines of /proc/PID/maps
  int64_t threads = -1;
  int64_t rss_kib = -1;  // VmRSS
  int64_t rss_anon_kib = -1;
  int64_t rss_file_kib = -1;
};
ProcCounters read_proc_counters(pid_t pid = 0);

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft limit.
uint64_t raise_fd_limit();

// Directory of the running executable (/proc/self/exe).
std::string executable_dir();

// Names of what a harness leaves in shared places (namespaces, cgroups) start with
// "vmmcs-<pid>-". Returns the entries of `dir` with such a name whose harness is gone.
std::vector<std::string> stale_harness_entries(const std::string& dir);

// epoll, level-triggered; each fd carries a caller-chosen 64-bit tag.
class Poller {
 public:
  struct Event {
    uint64_t tag;
    uint32_t events;
  };
  static vmm::Result<Poller> create();
  vmm::Result<void> add(int fd, uint32_t events, uint64_t tag);
  vmm::Result<void> modify(int fd, uint32_t events, uint64_t tag);
  void remove(int fd);
  // Waits up to timeout_ns (< 0: forever); EINTR counts as no events.
  std::vector<Event> wait(int64_t timeout_ns);

 private:
  explicit Poller(vmm::UniqueFd fd) : fd_(std::move(fd)) {}
  vmm::Result<void> control(int op, int fd, uint32_t events, uint64_t tag);
  vmm::UniqueFd fd_;
};

// SIGINT, SIGTERM and SIGHUP blocked and read through a signalfd, so the event loops see
// Ctrl-C as an event and tear down in order. Children get the default dispositions back
// (see spawn_attrs_reset in process.h).
class StopSignals {
 public:
  static vmm::Result<StopSignals> install();
  int fd() const { return fd_.get(); }
  // Drains the signalfd; true if a stop signal was received (now or before).
  bool check();
  bool received() const { return received_; }

 private:
  explicit StopSignals(vmm::UniqueFd fd) : fd_(std::move(fd)) {}
  vmm::UniqueFd fd_;
  bool received_ = false;
};

}  // namespace coldstart
