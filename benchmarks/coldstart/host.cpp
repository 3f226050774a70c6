#include "host.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include <fmt/format.h>


namespace coldstart {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

double ms_between(int64_t from, int64_t to) {
  if (from == 0 || to == 0) return std::nan("");
  return static_cast<double>(to - from) / 1e6;
}

vmm::Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return vmm::Error::from_errno(fmt::format("reading {}", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

vmm::Result<void> write_text(const std::string& path, std::string_view text) {
  vmm::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC | O_CREAT, 0644));
  if (!fd) return vmm::Error::from_errno(fmt::format("opening {}", path));
  ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size())) {
    return vmm::Error::from_errno(fmt::format("writing \"{}\" to {}", text, path));
  }
  return {};
}

std::optional<int64_t> read_int(const std::string& path) {
  std::ifstream in(path);
  int64_t v;
  if (in >> v) return v;
  return std::nullopt;
}

namespace {

int64_t count_dir_entries(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return -1;
  int64_t n = 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n;
}

int64_t count_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) return -1;
  int64_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

}  // namespace

ProcCounters read_proc_counters(pid_t pid) {
  const std::string base = pid == 0 ? std::string("/proc/self") : fmt::format("/proc/{}", pid);
  ProcCounters c;
  c.fds = count_dir_entries(base + "/fd");
  c.vmas = count_lines(base + "/maps");
  std::ifstream status(base + "/status");
  std::string key;
  int64_t value;
  while (status >> key) {
    if (!(status >> value)) {
      status.clear();
      status.ignore(1 << 20, '\n');
      continue;
    }
    if (key == "Threads:") c.threads = value;
    else if (key == "VmRSS:") c.rss_kib = value;
    else if (key == "RssAnon:") c.rss_anon_kib = value;
    else if (key == "RssFile:") c.rss_file_kib = value;
    status.ignore(1 << 20, '\n');
  }
  return c;
}

uint64_t raise_fd_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);
  ::getrlimit(RLIMIT_NOFILE, &lim);
  return lim.rlim_cur;
}

std::string executable_dir() {
  char path[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return ".";
  std::string s(path, static_cast<size_t>(n));
  return s.substr(0, s.rfind('/'));
}

std::vector<std::string> stale_harness_entries(const std::string& dir) {
  std::vector<std::string> stale;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return stale;
  while (dirent* e = ::readdir(d)) {
    int pid = 0;
    if (std::sscanf(e->d_name, "vmmcs-%d-", &pid) == 1 && pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) {
      stale.emplace_back(e->d_name);
    }
  }
  ::closedir(d);
  return stale;
}

vmm::Result<Poller> Poller::create() {
  vmm::UniqueFd fd(::epoll_create1(EPOLL_CLOEXEC));
  if (!fd) return vmm::Error::from_errno("epoll_create1");
  return Poller(std::move(fd));
}

vmm::Result<void> Poller::control(int op, int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (::epoll_ctl(fd_.get(), op, fd, &ev) != 0) return vmm::Error::from_errno(fmt::format("epoll_ctl {} fd {}", op, fd));
  return {};
}

vmm::Result<void> Poller::add(int fd, uint32_t events, uint64_t tag) { return control(EPOLL_CTL_ADD, fd, events, tag); }

vmm::Result<void> Poller::modify(int fd, uint32_t events, uint64_t tag) {
  return control(EPOLL_CTL_MOD, fd, events, tag);
}

void Poller::remove(int fd) { ::epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, nullptr); }

std::vector<Poller::Event> Poller::wait(int64_t timeout_ns) {
  epoll_event events[64];
  // Round up so a deadline 0.3 ms away does not become a 0 ms spin.
  const int timeout_ms = timeout_ns < 0 ? -1 : static_cast<int>((timeout_ns + 999'999) / 1'000'000);
  const int n = ::epoll_wait(fd_.get(), events, 64, timeout_ms);
  std::vector<Event> out;
  for (int i = 0; i < n; ++i) out.push_back({events[i].data.u64, events[i].events});
  return out;
}

vmm::Result<StopSignals> StopSignals::install() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return vmm::Error::from_errno("sigprocmask");
  vmm::UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) return vmm::Error::from_errno("signalfd");
  ::signal(SIGPIPE, SIG_IGN);  // a dead worker must be an error value, not a signal
  return StopSignals(std::move(fd));
}

bool StopSignals::check() {
  signalfd_siginfo info;
  while (::read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) received_ = true;
  return received_;
}

}  // namespace coldstart
