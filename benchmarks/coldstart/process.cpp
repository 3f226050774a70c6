#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

extern char** environ;

namespace coldstart {
namespace {

struct Pipe {
  vmm::UniqueFd read, write;
};

vmm::Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return vmm::Error::from_errno("pipe2");
  return Pipe{vmm::UniqueFd(fds[0]), vmm::UniqueFd(fds[1])};
}

// posix_spawn's file actions and attributes, released on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

Child::Child(Child&& other) noexcept
    : stdin_fd(std::move(other.stdin_fd)),
      stdout_fd(std::move(other.stdout_fd)),
      stderr_fd(std::move(other.stderr_fd)),
      pid_(std::exchange(other.pid_, -1)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    if (running()) stop(SIGKILL, 0);
    stdin_fd = std::move(other.stdin_fd);
    stdout_fd = std::move(other.stdout_fd);
    stderr_fd = std::move(other.stderr_fd);
    pid_ = std::exchange(other.pid_, -1);
  }
  return *this;
}

Child::~Child() {
  if (running()) stop(SIGKILL, 0);
}

int Child::wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

bool Child::try_wait(int* status) {
  if (pid_ <= 0) return true;
  int s = 0;
  pid_t r = ::waitpid(pid_, &s, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    if (status) *status = s;
    return true;
  }
  return false;
}

int Child::stop(int sig, int grace_ms) {
  if (pid_ <= 0) return -1;
  // A pidfd becomes readable when the child exits: wait on it, no polling loop.
  vmm::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
  ::kill(pid_, sig);
  if (sig != SIGKILL && pidfd) {
    pollfd p{pidfd.get(), POLLIN, 0};
    if (::poll(&p, 1, grace_ms) == 0) ::kill(pid_, SIGKILL);
  } else if (sig != SIGKILL) {
    ::kill(pid_, SIGKILL);
  }
  return wait();
}

vmm::Result<Child> spawn_child(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) return vmm::Error("spawn: empty command");
  SpawnSetup setup;
  Child child;
  Pipe in, out, err;
  if (options.capture_stdin) {
    in = VMM_TRY(make_pipe());
    posix_spawn_file_actions_adddup2(&setup.actions, in.read.get(), STDIN_FILENO);
    child.stdin_fd = std::move(in.write);
  } else {
    posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (options.capture_stdout) {
    out = VMM_TRY(make_pipe());
    posix_spawn_file_actions_adddup2(&setup.actions, out.write.get(), STDOUT_FILENO);
    ::fcntl(out.read.get(), F_SETFL, O_NONBLOCK);
    child.stdout_fd = std::move(out.read);
  } else if (options.quiet_stdout) {
    posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  }
  if (options.capture_stderr) {
    err = VMM_TRY(make_pipe());
    posix_spawn_file_actions_adddup2(&setup.actions, err.write.get(), STDERR_FILENO);
    child.stderr_fd = std::move(err.read);
  }
  for (const auto& [child_fd, our_fd] : options.pass_fds) {
    posix_spawn_file_actions_adddup2(&setup.actions, our_fd, child_fd);
  }
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.own_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&setup.attr, 0);
  }
  posix_spawnattr_setflags(&setup.attr, flags);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = argv[0].find('/') == std::string::npos
                     ? posix_spawnp(&pid, argv[0].c_str(), &setup.actions, &setup.attr, args.data(), environ)
                     : posix_spawn(&pid, argv[0].c_str(), &setup.actions, &setup.attr, args.data(), environ);
  if (rc != 0) return vmm::Error::from_errno(fmt::format("starting {}", argv[0]), rc);
  child.pid_ = pid;
  return child;
}

std::string describe_wait_status(int status) {
  if (status < 0) return "not started";
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return fmt::format("wait status {:#x}", status);
}


vmm::Result<void> run_command(const std::vector<std::string>& argv, std::string_view input, std::string* output) {
  std::string command;
  for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
  SpawnOptions options;
  options.capture_stdin = options.capture_stdout = options.capture_stderr = true;
  options.own_group = false;
  auto child = VMM_TRY(spawn_child(argv, options));
  ::fcntl(child.stdin_fd.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(child.stderr_fd.get(), F_SETFL, O_NONBLOCK);
  if (input.empty()) child.stdin_fd.reset();
  // Feed stdin and drain stdout/stderr together: a command that writes while we still
  // write its input must not deadlock on a full pipe.
  std::string out, errors;
  while (child.stdin_fd || child.stdout_fd || child.stderr_fd) {
    pollfd p[3] = {{child.stdin_fd.get(), POLLOUT, 0}, {child.stdout_fd.get(), POLLIN, 0},
                   {child.stderr_fd.get(), POLLIN, 0}};
    if (::poll(p, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return vmm::Error::from_errno("poll");
    }
    if (p[0].revents) {
      const ssize_t n = ::write(child.stdin_fd.get(), input.data(), input.size());
      if (n > 0) input.remove_prefix(static_cast<size_t>(n));
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || input.empty()) child.stdin_fd.reset();
    }
    std::pair<vmm::UniqueFd*, std::string*> readers[2] = {{&child.stdout_fd, &out}, {&child.stderr_fd, &errors}};
    for (int i = 0; i < 2; ++i) {
      if (!p[i + 1].revents) continue;
      char buf[8192];
      const ssize_t n = ::read(readers[i].first->get(), buf, sizeof buf);
      if (n > 0 && readers[i].second->size() < (16u << 20)) readers[i].second->append(buf, static_cast<size_t>(n));
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) readers[i].first->reset();
    }
  }
  const int status = child.wait();
  if (output != nullptr) *output = std::move(out);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  while (!errors.empty() && errors.back() == '\n') errors.pop_back();
  if (errors.size() > 2000) errors = errors.substr(0, 2000) + "...";
  return vmm::Error(fmt::format("`{}` failed ({}): {}", command.size() > 80 ? command.substr(0, 80) + "..." : command,
                                describe_wait_status(status), errors.empty() ? "no message" : errors));
}

}  // namespace coldstart
