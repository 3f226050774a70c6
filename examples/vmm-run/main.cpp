// vmm-run: boots one image with libvmm, streams its console, exits with its status.
// Usage: vmm-run [--mem SIZE] [--cpus N] [--cmdline STR] [--timeout SEC] [--json] IMAGE [-- ARGS...]
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "options.h"
#include "report.h"
#include "vmm/image.h"
#include "vmm/instance.h"
#include "vmm/kvm.h"

namespace {

vmm::Instance* g_instance = nullptr;  // for the signal handler

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

int fail(std::string_view message) {
  write_all(STDERR_FILENO, fmt::format("vmm-run: {}\n", message));
  return vmm_run::kExitVmmError;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<int> exit_now;
  auto options = vmm_run::parse_options(argc, argv, &exit_now);
  if (!options) {
    if (exit_now) {
      write_all(STDOUT_FILENO, options.error().message() + "\n");
      return *exit_now;
    }
    return fail(options.error().message());
  }
  const vmm_run::Options& o = *options;

  auto kvm = vmm::Kvm::open();
  if (!kvm) return fail(kvm.error().message());
  auto image = vmm::Image::open(o.image, {o.protocol});
  if (!image) return fail(image.error().message());

  const int console_fd = o.json ? STDERR_FILENO : STDOUT_FILENO;
  vmm::Instance* instance_ptr = nullptr;
  vmm::InstanceConfig config;
  config.kvm = *kvm;
  config.image = *image;
  config.memory_bytes = o.memory_bytes;
  config.vcpus = o.cpus;
  config.huge_pages = o.huge_pages;
  config.cmdline = vmm_run::build_cmdline(o);
  config.console = [console_fd](std::string_view s) { write_all(console_fd, s); };
  config.console_limit = UINT64_MAX;
  config.timeout = std::chrono::nanoseconds(static_cast<int64_t>(o.timeout_seconds * 1e9));
  config.platform.initrd_path = o.initrd;
  config.platform.irqchip = o.irqchip == "split" ? vmm::IrqchipMode::Split
                            : o.irqchip == "none" ? vmm::IrqchipMode::None
                                                  : vmm::IrqchipMode::Kernel;
  config.platform.pit = !o.no_pit;
  for (size_t i = 0; i < o.nets.size() + o.net_fds.size(); ++i) {
    std::optional<std::array<uint8_t, 6>> mac;
    if (i < o.macs.size()) mac = *vmm_run::parse_mac(o.macs[i]);  // checked by parse_options
    if (i < o.nets.size()) config.nets.push_back({o.nets[i], -1, mac});
    else config.nets.push_back({"", o.net_fds[i - o.nets.size()], mac});
  }
  for (const auto& disk : o.disks) {
    bool ro = disk.size() > 3 && disk.compare(disk.size() - 3, 3, ":ro") == 0;
    config.disks.push_back({ro ? disk.substr(0, disk.size() - 3) : disk, ro});
  }
  if (!o.quiet && !o.json) {
    config.on_boot_ready = [&] { write_all(STDERR_FILENO, vmm_run::boot_summary(*instance_ptr, o)); };
  }
  auto instance = vmm::Instance::create(std::move(config));
  if (!instance) return fail(instance.error().message());
  instance_ptr = instance->get();

  // Ctrl-C, SIGTERM and SIGHUP kill the guest (request_kill is async-signal-safe).
  g_instance = instance_ptr;
  struct sigaction act {};
  act.sa_handler = [](int) { g_instance->request_kill(); };
  sigemptyset(&act.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &act, nullptr);

  auto exit = instance_ptr->run();
  if (!exit) return fail(exit.error().message());
  if (o.json) {
    write_all(STDOUT_FILENO, vmm_run::json_report(*instance_ptr, o, *exit).dump(2) + "\n");
  } else if (!o.quiet || exit->reason != vmm::ExitReason::GuestExit) {
    write_all(STDERR_FILENO, vmm_run::exit_line(*exit, *instance_ptr));
  }
  return vmm_run::exit_status(*exit);
}
