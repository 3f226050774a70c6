// Child processes of the harness (workers, vmm-run, QEMU, ip, gnuplot): spawned with
// posix_spawn (vfork-fast), default signal dispositions and an empty signal mask, optional
// pipes for stdin/stdout/stderr, and optionally their own process group so a terminal's
// Ctrl-C reaches only the harness, which then stops them in order.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace coldstart {

struct SpawnOptions {
  bool capture_stdin = false;   // a pipe we write; else /dev/null
  bool capture_stdout = false;  // a pipe we read (O_NONBLOCK on our end); else inherited
  bool capture_stderr = false;
  bool own_group = true;        // setpgid(0, 0) in the child
  bool quiet_stdout = false;    // stdout to /dev/null (when not captured)
  // {child fd number, our fd}: dup2'ed into the child (e.g. a socketpair end as fd 3).
  std::vector<std::pair<int, int>> pass_fds;
};

// A running child. Destroying it kills (SIGKILL) and reaps a child still running.
class Child {
 public:
  Child() = default;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  ~Child();

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  // Blocks until the child exits; returns its wait status (or -1 if there is no child).
  int wait();
  // Non-blocking; true (and *status set) if it has exited.
  bool try_wait(int* status);
  // Sends `sig`, waits up to grace_ms, then SIGKILLs; returns the wait status.
  int stop(int sig, int grace_ms);

  vmm::UniqueFd stdin_fd, stdout_fd, stderr_fd;

 private:
  friend vmm::Result<Child> spawn_child(const std::vector<std::string>& argv, const SpawnOptions& options);
  pid_t pid_ = -1;
};

// Spawns argv[0] (PATH lookup when it has no '/'). Errors name the program.
vmm::Result<Child> spawn_child(const std::vector<std::string>& argv, const SpawnOptions& options);

// Runs argv with `input` on its stdin and waits. Fails, quoting the command's stderr,
// unless it exits 0. With `output`, collects its stdout there.
vmm::Result<void> run_command(const std::vector<std::string>& argv, std::string_view input = {},
                              std::string* output = nullptr);

// "exit status 3", "killed by signal 9 (Killed)".
std::string describe_wait_status(int status);

}  // namespace coldstart
