// A count of host system calls that does not depend on the machine's speed: the
// tracepoint raw_syscalls:sys_enter, counted with perf_event_open(2), fires once for every
// system call a watched task enters, whatever the call and however long it takes
// (docs/coldstart.md, "Counts that do not depend on the machine's speed").
//
// The tracepoint's id is read from tracefs (/sys/kernel/tracing, else
// /sys/kernel/debug/tracing, else one mounted by a child process in a private mount
// namespace: the host's mounts are never touched). Where the host cannot count (no tracefs,
// no permission, a kernel without syscall tracepoints, a counter that does not count),
// the open functions fail with the reason in one line, so that a report can say
// "unavailable: <reason>" instead of showing a zero.
//
// Counting costs a watched task a few tens of nanoseconds per system call, but on our
// nested PVM host a thread that holds a counter (even a disabled one) enters a guest more
// slowly (~30 µs more to boot-ready for hello, ~50 µs on the bare floor's first KVM_RUN),
// and a thread that inherits one costs ~25 µs more to create: what must not be perturbed
// is best timed on threads without one. Opening the first counter on a host costs ~20 ms
// (the kernel turns the tracepoint on for every task).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace vmm::bench {

class SyscallCounter {
 public:
  enum class Scope {
    Thread,  // the calling thread only (inherit = 0)
    // The calling thread and every thread or process it creates after the open, and theirs
    // (inherit = 1). A read sums the live ones; ended ones are added as they exit.
    ThreadAndLater,
  };

  // An enabled counter on the calling thread. It checks itself: two consecutive reads on
  // the calling thread must differ by exactly 1 (the later read counts itself), else the
  // host does not count and the error says so.
  static Result<SyscallCounter> open(Scope scope);
  // A counter on process `pid`, which must not have called execve yet (a forked child
  // waiting for a go): off until pid's next execve, then counting pid, its threads and
  // its children until they exit (enable_on_exec, inherit = 1). The execve itself is not
  // counted; everything after it is, up to the last exit_group.
  static Result<SyscallCounter> open_from_exec(pid_t pid);

  // The count so far. A read made on a counted thread counts itself (read_cost()).
  Result<uint64_t> read() const;
  // What one read() adds to the count when made on a counted thread: 1, measured by open();
  // 0 for open_from_exec() (its reader is not the counted process).
  uint64_t read_cost() const { return read_cost_; }
  // System calls made between two reads on the same counted thread, the later read's own
  // excluded.
  uint64_t between(uint64_t earlier, uint64_t later) const { return later - earlier - read_cost_; }

 private:
  SyscallCounter(UniqueFd fd, uint64_t read_cost) : fd_(std::move(fd)), read_cost_(read_cost) {}
  UniqueFd fd_;
  uint64_t read_cost_ = 0;
};

// The id of the tracepoint raw_syscalls:sys_enter, from tracefs; or why it is not there.
Result<uint64_t> sys_enter_tracepoint_id();

// Runs `argv` (argv[0] is the program's path) in a forked child held until a counter is
// attached (open_from_exec), and returns the child's system calls from its execve to its
// exit, its threads included. Fails unless the child exits 0. quiet: its stdout goes to
// /dev/null.
Result<uint64_t> count_exec(const std::vector<std::string>& argv, bool quiet);

}  // namespace vmm::bench
