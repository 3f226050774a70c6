#include "syscall_counter.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

#include <fmt/format.h>

extern "C" char** environ;

namespace vmm::bench {
namespace {

constexpr const char* kTracefsRoots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
constexpr const char* kSysEnterId = "/events/raw_syscalls/sys_enter/id";

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string paranoid() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  std::string level;
  return in >> level ? level : "?";
}

// The id, read once per process (process-wide but immutable: it cannot change while the
// kernel runs), so that a worker arming a counter per instance does not re-read tracefs.
const Result<uint64_t>& sys_enter_id_once() {
  static const Result<uint64_t> id = sys_enter_tracepoint_id();
  return id;
}

Result<UniqueFd> open_event(pid_t pid, bool inherit, bool from_exec) {
  const Result<uint64_t>& found = sys_enter_id_once();
  if (!found) return found.error();
  const uint64_t id = *found;
  perf_event_attr attr{};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof attr;
  attr.config = id;
  attr.inherit = inherit ? 1 : 0;
  attr.disabled = from_exec ? 1 : 0;
  attr.enable_on_exec = from_exec ? 1 : 0;
  const long fd = ::syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == EACCES || err == EPERM) {
      return Error::from_errno(
          fmt::format("perf_event_open(raw_syscalls:sys_enter) (perf_event_paranoid {}; needs CAP_PERFMON or root)",
                      paranoid()),
          err);
    }
    return Error::from_errno("perf_event_open(raw_syscalls:sys_enter)", err);
  }
  return UniqueFd(static_cast<int>(fd));
}

// Where no tracefs is mounted (hosts without systemd, such as ours), a child process mounts
// one in a mount namespace of its own, which vanishes with it, and passes the id back
// through a pipe: the host's mounts are never touched. Needs CAP_SYS_ADMIN (root). The
// child makes system calls only, so forking a multithreaded process is safe here.
Result<uint64_t> id_from_private_tracefs() {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Error::from_errno("pipe");
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  const pid_t child = ::fork();
  if (child < 0) return Error::from_errno("fork");
  if (child == 0) {
    char text[32] = {};
    ssize_t n = -1;
    if (::unshare(CLONE_NEWNS) == 0 && ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
        ::mount("tracefs", kTracefsRoots[0], "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0) {
      const std::string path = std::string(kTracefsRoots[0]) + kSysEnterId;
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) n = ::read(fd, text, sizeof text - 1);
    }
    if (n > 0) [[maybe_unused]] ssize_t w = ::write(write_end.get(), text, static_cast<size_t>(n));
    ::_exit(n > 0 ? 0 : 1);
  }
  write_end.reset();
  char text[32] = {};
  const ssize_t n = ::read(read_end.get(), text, sizeof text - 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  char* end = nullptr;
  const unsigned long long id = n > 0 ? std::strtoull(text, &end, 10) : 0;
  if (n <= 0 || end == text) return Error("no tracefs could be mounted in a private mount namespace either");
  return static_cast<uint64_t>(id);
}

}  // namespace

Result<uint64_t> sys_enter_tracepoint_id() {
  for (const char* root : kTracefsRoots) {
    const std::string path = std::string(root) + kSysEnterId;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd && errno != ENOENT) return Error::from_errno(fmt::format("cannot read {}", path));
    if (fd) {
      char text[32] = {};
      const ssize_t n = ::read(fd.get(), text, sizeof text - 1);
      if (n <= 0) return Error::from_errno(fmt::format("cannot read {}", path));
      char* end = nullptr;
      const unsigned long long id = std::strtoull(text, &end, 10);
      if (end == text) return Error(fmt::format("{} holds no number", path));
      return static_cast<uint64_t>(id);
    }
    if (exists(std::string(root) + "/events")) {
      return Error(fmt::format("{}/events has no raw_syscalls/sys_enter (kernel without CONFIG_FTRACE_SYSCALLS?)", root));
    }
  }
  auto id = id_from_private_tracefs();
  if (id) return id;
  return Error(fmt::format("tracefs is not mounted at {} or {} (raw_syscalls:sys_enter's id is read there), and {}",
                           kTracefsRoots[0], kTracefsRoots[1], id.error().message()));
}

Result<SyscallCounter> SyscallCounter::open(Scope scope) {
  UniqueFd fd = VMM_TRY(open_event(0, scope == Scope::ThreadAndLater, false));
  SyscallCounter counter(std::move(fd), 0);
  const uint64_t first = VMM_TRY(counter.read());
  const uint64_t second = VMM_TRY(counter.read());
  if (second - first != 1) {
    return Error(fmt::format("raw_syscalls:sys_enter counter does not count here (two consecutive reads differ by "
                             "{}, not 1)",
                             static_cast<int64_t>(second - first)));
  }
  counter.read_cost_ = second - first;
  return counter;
}

Result<SyscallCounter> SyscallCounter::open_from_exec(pid_t pid) {
  return SyscallCounter(VMM_TRY(open_event(pid, true, true)), 0);
}

Result<uint64_t> SyscallCounter::read() const {
  uint64_t value = 0;
  ssize_t n;
  do {
    n = ::read(fd_.get(), &value, sizeof value);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof value)) return Error::from_errno("reading the system call counter");
  return value;
}

Result<uint64_t> count_exec(const std::vector<std::string>& args, bool quiet) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  UniqueFd devnull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  int go[2];
  if (!devnull || ::pipe2(go, O_CLOEXEC) != 0) return Error::from_errno("count_exec: /dev/null or pipe2");
  const pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls until execve
    char c;
    ::close(go[1]);
    if (::read(go[0], &c, 1) < 0 || (quiet && ::dup2(devnull.get(), STDOUT_FILENO) < 0)) ::_exit(126);
    ::execve(argv[0], argv.data(), environ);
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(go[0]);
  if (pid < 0) return ::close(go[1]), Error::from_errno("count_exec: fork", fork_errno);
  auto counter = SyscallCounter::open_from_exec(pid);
  ::close(go[1]);  // the go: EOF, counter or not
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!counter) return std::move(counter).error();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error(fmt::format("count_exec: {} failed (status {:#x})", args[0], status));
  }
  return counter->read();
}

}  // namespace vmm::bench
