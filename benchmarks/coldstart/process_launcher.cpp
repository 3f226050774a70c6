#include "process_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "host.h"
#include "netlab.h"

namespace coldstart {
namespace {

constexpr size_t kMaxCapture = 256 * 1024;

std::string tail(const std::string& s, size_t n) {
  std::string t = s.size() > n ? s.substr(s.size() - n) : s;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return t;
}

}  // namespace

vmm::Result<std::unique_ptr<ProcessLauncher>> ProcessLauncher::create(const Options& options, VmmMode mode) {
  std::unique_ptr<ProcessLauncher> launcher(new ProcessLauncher(options, mode));
  std::string help;
  if (mode == VmmMode::VmmRun) {
    launcher->binary_ = options.vmm_run;
    if (::access(options.vmm_run.c_str(), X_OK) != 0) {
      return vmm::Error(fmt::format("vmm-run not found at {} (build it: make vmm-run, or pass --vmm-run)", options.vmm_run));
    }
    VMM_TRY_CTX(run_command({options.vmm_run, "--help"}, {}, &help), "vmm-run --help");
    launcher->accepts_mac_ = help.find("--mac") != std::string::npos;
    if (help.find("--net-fd") == std::string::npos) {
      return vmm::Error(fmt::format("{} has no --net-fd option (rebuild vmm-run)", options.vmm_run));
    }
  } else {
    launcher->binary_ = options.qemu;
    VMM_TRY_CTX(run_command({options.qemu, "--version"}, {}, &help),
                "QEMU not usable (install qemu-system-x86, or pass --qemu)");
    launcher->accepts_mac_ = true;
  }
  return launcher;
}

std::string ProcessLauncher::describe() const {
  return fmt::format("{} as a process per instance (start, measure, stop): {}", to_string(mode_), binary_);
}

std::vector<std::string> ProcessLauncher::argv_for(const InstanceSpec& spec) const {
  const std::string mac = Addressing::mac_text(spec.mac);
  if (mode_ == VmmMode::VmmRun) {
    std::vector<std::string> argv = {binary_, "--json", "--mem", options_.mem_text, "--net-fd", "3"};
    if (accepts_mac_) argv.insert(argv.end(), {"--mac", mac});
    argv.insert(argv.end(), {"--cmdline", spec.cmdline, options_.image});
    return argv;
  }
  // QEMU's microvm: no firmware tables, no PCI, a virtio-mmio transport announced on the
  // kernel command line (modern, version 2: QEMU defaults to legacy); the image boots
  // through its PVH entry.
  return {binary_, "-M", "microvm,acpi=off", "-accel", "kvm", "-cpu", "host", "-m", options_.mem_text,
          "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio", "-no-reboot",
          "-global", "virtio-mmio.force-legacy=false",
          "-kernel", options_.image, "-append", spec.cmdline,
          "-netdev", "tap,id=n0,fd=3,vhost=off",
          "-device", fmt::format("virtio-net-device,netdev=n0,mac={}", mac)};
}

vmm::Result<void> ProcessLauncher::begin(InstanceSpec spec) {
  out_.clear();
  err_.clear();
  boot_ready_ns_ = 0;
  failure_.reset();
  if (!spec.tap_fd) return vmm::Error(fmt::format("instance {}: the harness holds no fd for tap {}", spec.index, spec.tap));
  tap_fd_ = std::move(spec.tap_fd);
  SpawnOptions so;
  so.capture_stdout = true;
  so.capture_stderr = true;
  so.pass_fds = {{3, tap_fd_.get()}};
  child_ = VMM_TRY_CTX(spawn_child(argv_for(spec), so), fmt::format("instance {}", spec.index));
  ::fcntl(child_.stderr_fd.get(), F_SETFL, O_NONBLOCK);
  return {};
}

std::vector<int> ProcessLauncher::watch_fds() const {
  std::vector<int> fds;
  if (child_.stdout_fd) fds.push_back(child_.stdout_fd.get());
  if (child_.stderr_fd) fds.push_back(child_.stderr_fd.get());
  return fds;
}

void ProcessLauncher::read_pipe(vmm::UniqueFd& fd, std::string& into, int64_t now) {
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      const size_t from = into.size() > options_.ready_pattern.size() ? into.size() - options_.ready_pattern.size() : 0;
      if (into.size() < kMaxCapture) into.append(buf, static_cast<size_t>(n));
      if (boot_ready_ns_ == 0 && into.find(options_.ready_pattern, from) != std::string::npos) boot_ready_ns_ = now;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    fd.reset();  // EOF (or error): closing also takes it out of the driver's epoll
    return;
  }
}

void ProcessLauncher::on_ready(int fd, int64_t now) {
  if (fd == child_.stdout_fd.get()) {
    read_pipe(child_.stdout_fd, out_, now);
  } else if (fd == child_.stderr_fd.get()) {
    read_pipe(child_.stderr_fd, err_, now);
  }
  if (!child_.stdout_fd && !child_.stderr_fd && boot_ready_ns_ == 0 && !failure_) {
    const int status = child_.wait();
    failure_ = fmt::format("{} {}: {}", to_string(mode_), describe_wait_status(status), tail(err_ + out_, 400));
  }
}

VmmTimes ProcessLauncher::finish() {
  // SIGTERM: vmm-run kills its guest and prints its JSON report; QEMU exits.
  if (child_.running()) child_.stop(SIGTERM, 3000);
  if (child_.stdout_fd) {
    ::fcntl(child_.stdout_fd.get(), F_SETFL, 0);  // the writer is gone: read to EOF
    read_pipe(child_.stdout_fd, out_, 0);
  }
  child_.stderr_fd.reset();
  tap_fd_.reset();
  VmmTimes t = mode_ == VmmMode::VmmRun ? parse_vmm_run_json() : VmmTimes{};
  t.boot_ready_ns = boot_ready_ns_;
  t.estimated = true;
  return t;
}

// vmm-run --json: {"times_ms": {"vm_created": ms after its start call, ...}}. Anchored on
// the observed console line: start_called = console time - boot_ready.
VmmTimes ProcessLauncher::parse_vmm_run_json() const {
  VmmTimes t;
  const size_t open = out_.find('{');
  if (open == std::string::npos || boot_ready_ns_ == 0) return t;
  auto j = nlohmann::json::parse(out_.substr(open), nullptr, false);
  if (j.is_discarded() || !j.contains("times_ms")) return t;
  const auto& times = j["times_ms"];
  auto rel = [&](const char* key) { return times.contains(key) ? times[key].get<double>() : 0.0; };
  const double ready = rel("boot_ready");
  if (ready <= 0) return t;
  t.vmm_start_ns = boot_ready_ns_ - std::llround(ready * 1e6);
  auto abs = [&](const char* key) { return rel(key) > 0 ? t.vmm_start_ns + std::llround(rel(key) * 1e6) : 0; };
  t.vm_created_ns = abs("vm_created");
  t.vm_ready_ns = abs("vcpus_ready");
  t.first_entry_ns = abs("first_entry");
  return t;
}

}  // namespace coldstart
