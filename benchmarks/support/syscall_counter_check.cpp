// vmm-syscall-counter-check: SyscallCounter counts known numbers of getppid() exactly.
//
//   vmm-syscall-counter-check      exit 0: all checks passed; 1: a check failed;
//                                  77: SKIPPED (the host cannot count; the reason is printed)
//
// Checks: 1000 calls on the counting thread; 1000 calls on a thread created after the open
// (inherited counter, read on that thread); a child process counted from its execve
// (open_from_exec) that makes 1000 more calls than a twin run of the same binary.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "syscall_counter.h"

using vmm::bench::SyscallCounter;

namespace {

constexpr int kCalls = 1000;
int failures = 0;

void make_calls(int n) {
  for (int i = 0; i < n; ++i) (void)::getppid();
}

void check(bool ok, const std::string& what) {
  fmt::print("{} {}\n", ok ? "ok:  " : "FAIL:", what);
  failures += ok ? 0 : 1;
}

// The calling thread alone.
void check_thread() {
  auto counter = SyscallCounter::open(SyscallCounter::Scope::Thread);
  if (!counter) return check(false, counter.error().message());
  const uint64_t a = counter->read().value();
  make_calls(kCalls);
  const uint64_t b = counter->read().value();
  check(counter->between(a, b) == kCalls, fmt::format("thread: {} getppid() counted as {}", kCalls, counter->between(a, b)));
}

// A thread created after the open is counted, and reads on it count themselves too.
void check_inherited_thread() {
  auto counter = SyscallCounter::open(SyscallCounter::Scope::ThreadAndLater);
  if (!counter) return check(false, counter.error().message());
  uint64_t in_thread = 0;
  const uint64_t before = counter->read().value();
  std::thread([&] {
    const uint64_t a = counter->read().value();
    make_calls(kCalls);
    in_thread = counter->between(a, counter->read().value());
  }).join();
  const uint64_t after = counter->read().value();
  check(in_thread == kCalls, fmt::format("later thread: {} getppid() counted as {}", kCalls, in_thread));
  check(counter->between(before, after) > kCalls,
        fmt::format("later thread: the creating thread's read sums it ({} > {})", counter->between(before, after), kCalls));
}

// This binary re-executed with --calls N, counted from its execve to its exit.
vmm::Result<uint64_t> count_child(int calls) {
  return vmm::bench::count_exec({"/proc/self/exe", "--calls", std::to_string(calls)}, false);
}

void check_exec() {
  auto base = count_child(0);
  auto more = count_child(kCalls);
  auto again = count_child(kCalls);
  if (!base || !more || !again) return check(false, "exec: " + (!base ? base : !more ? more : again).error().message());
  check(*more - *base == kCalls,
        fmt::format("exec: a child making {} more getppid() counts {} more ({} vs {})", kCalls, *more - *base, *more, *base));
  check(*more == *again, fmt::format("exec: the same child twice counts the same ({} and {})", *more, *again));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--calls") == 0) {  // the counted child
    make_calls(std::atoi(argv[2]));
    return 0;
  }
  auto usable = SyscallCounter::open(SyscallCounter::Scope::Thread);
  if (!usable) {
    fmt::print("SKIPPED: system calls cannot be counted here: {}\n", usable.error().message());
    return 77;
  }
  check_thread();
  check_inherited_thread();
  check_exec();
  fmt::print("{}\n", failures == 0 ? "all checks passed" : fmt::format("{} check(s) failed", failures));
  return failures == 0 ? 0 : 1;
}
