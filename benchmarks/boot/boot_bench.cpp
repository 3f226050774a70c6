// vmm-bootbench: the boot path of a lean guest (default: hello.elf), phase by phase,
// against the bare-KVM floor measured in the same run (samples interleaved), plus
// optionally vmm-run as a whole process and the host cost of idle instances.
//
//   vmm-bootbench [--image PATH] [--boots N] [--exec VMM_RUN] [--idle N] [--json FILE]
//
// Prints medians and p90 per phase; --json writes every sample. Beside the times, counts
// that do not depend on the machine's speed (docs/coldstart.md, "Counts that do not depend
// on the machine's speed"): exits, guest pages, and the host system calls of
//   - an in-process boot (libvmm): the booting thread, which runs vCPU 0 (run()) and so
//     also on_boot_ready, and any thread it creates: Instance::create() -> boot-ready, the
//     destruction alone, and create() -> destroyed without the benchmark's own calls;
//   - a bare-floor sample: the whole sample, KVM_CREATE_VM -> fds closed (13 by construction);
//   - with --exec, a vmm-run process from its execve to its exit.
// Counting slows KVM entries on our host (syscall_counter.h), so the counts come from
// untimed twins taken after every timed sample: per timed sample one more floor sample and
// boot on a counting thread (counting_thread.h), and one more vmm-run process. No counter
// exists while anything is timed. The header names the KVM, and marks every time as
// emulated inside QEMU-TCG.
#include <fcntl.h>
#include <linux/kvm.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../coldstart/cgroup.h"
#include "../support/kvm_report.h"
#include "../support/stats.h"
#include "../support/syscall_counter.h"
#include "bare_kvm_floor.h"
#include "boot/lean/lean_protocol.h"
#include "core/clock.h"
#include "counting_thread.h"
#include "vmm/image.h"
#include "vmm/instance.h"
#include "vmm/kvm.h"

extern char** environ;

namespace {

using vmm::bench::median;
using vmm::bench::percentile;
using vmm::bench::SyscallCounter;
using Samples = std::map<std::string, std::vector<double>>;  // phase -> microseconds

double us(int64_t from, int64_t to) { return static_cast<double>(to - from) / 1000.0; }

// Reads of `counter` (null: not counted) around one boot, all on this thread.
struct BootSyscalls {
  const SyscallCounter* counter = nullptr;
  uint64_t created = 0, ready = 0, exited = 0, destroying = 0, destroyed = 0;
  bool ok = true;
  void read(uint64_t& into) {
    if (!counter) return;
    auto v = counter->read();
    ok = ok && v.has_value();
    into = v ? *v : 0;
  }
};

// One boot, vCPU 0 on this thread. Without `counter`: appends its times, exits and pages to
// `out`. With `counter` (counting this thread): appends only its system call counts.
// `shape`: the Kvm, image, RAM size and page size every boot uses.
bool boot_once(const vmm::InstanceConfig& shape, const SyscallCounter* counter, Samples& out) {
  BootSyscalls sc{counter};
  vmm::InstanceConfig config = shape;
  if (counter) config.on_boot_ready = [&sc] { sc.read(sc.ready); };  // on this thread: run()
  sc.read(sc.created);
  auto created = vmm::Instance::create(std::move(config));
  if (!created) return false;
  auto& inst = **created;
  auto exit = inst.run();
  sc.read(sc.exited);
  const int64_t destroy_start = vmm::monotonic_ns();
  if (!exit || exit->reason != vmm::ExitReason::GuestExit) {
    fmt::print(stderr, "boot failed: {}\n", exit ? exit->message : exit.error().message());
    return false;
  }
  vmm::BootTimes t = inst.times();
  vmm::InstanceStats s = inst.stats();
  auto pages = inst.resident_guest_pages();
  sc.read(sc.destroying);
  created->reset();
  sc.read(sc.destroyed);
  const int64_t destroyed = vmm::monotonic_ns();
  if (counter) {
    if (!sc.ok || sc.ready == 0) return true;  // no count rather than a wrong one
    // Each reading counts itself: `c` per read after `created`.
    const double c = static_cast<double>(counter->read_cost());
    const double to_exit = static_cast<double>(sc.exited - sc.created) - 2 * c;  // reads at ready, exit
    const double teardown = static_cast<double>(counter->between(sc.destroying, sc.destroyed));
    out["syscalls_to_boot_ready"].push_back(static_cast<double>(counter->between(sc.created, sc.ready)));
    out["syscalls_teardown"].push_back(teardown);
    out["syscalls_to_destroyed"].push_back(to_exit + teardown);
    return true;
  }
  out["vm_create"].push_back(us(t.start_called, t.vm_created));
  out["memory"].push_back(us(t.vm_created, t.memory_ready));
  out["vcpu_create"].push_back(us(t.memory_ready, t.vcpus_created));
  out["boot_data_and_regs"].push_back(us(t.vcpus_created, t.vcpus_ready));
  out["to_first_entry"].push_back(us(t.vcpus_ready, t.first_entry));
  out["guest_to_ready"].push_back(us(t.first_entry, t.boot_ready));
  out["start_to_boot_ready"].push_back(us(t.start_called, t.boot_ready));
  out["start_to_exit"].push_back(us(t.start_called, t.exited));
  out["teardown"].push_back(us(destroy_start, destroyed));
  out["exits"].push_back(static_cast<double>(s.exits));
  out["exits_to_boot_ready"].push_back(static_cast<double>(s.exits_at_boot_ready));
  out["resident_guest_pages"].push_back(pages ? static_cast<double>(*pages) : -1);
  return true;
}

double exec_once(const std::string& vmm_run, const std::string& image) {
  std::vector<std::string> args = {vmm_run, "-q", image};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const int64_t t0 = vmm::monotonic_ns();
  pid_t pid;
  if (posix_spawn(&pid, vmm_run.c_str(), &actions, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  const int64_t t1 = vmm::monotonic_ns();
  posix_spawn_file_actions_destroy(&actions);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? us(t0, t1) : -1;
}

// The system calls of one vmm-run process, as exec_once runs it, from its execve to its
// exit (its threads included). Untimed: the child is forked and held until a counter is
// attached to it (open_from_exec), which posix_spawn in exec_once leaves no room for.
vmm::Result<uint64_t> count_exec(const std::string& vmm_run, const std::string& image) {
  return vmm::bench::count_exec({vmm_run, "-q", image}, true);
}

int64_t rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// Starts `count` idle instances of the waiter guest, reports host memory per instance.
nlohmann::json idle_cost(const vmm::InstanceConfig& shape, const std::string& waiter, uint32_t count) {
  auto image = vmm::Image::open(waiter);
  if (!image) return {{"error", image.error().message()}};
  std::vector<std::unique_ptr<vmm::Instance>> instances;
  // A memory cgroup of our own (v1 or v2): KVM charges each VM's kernel memory to it.
  auto cgroup = coldstart::MemoryCgroup::create(fmt::format("vmm-bootbench-{}", ::getpid()));
  if (cgroup) (void)(*cgroup)->add(0);
  auto charged = [&]() -> int64_t { return cgroup ? (*cgroup)->usage().total_bytes : -1; };
  const int64_t cg0 = charged(), rss0 = rss_kib();
  uint64_t guest_pages = 0;
  for (uint32_t i = 0; i < count; ++i) {
    vmm::InstanceConfig config = shape;
    config.image = *image;
    config.vcpu_stack_size = 64 * 1024;
    auto inst = vmm::Instance::create(std::move(config));
    if (!inst || !(*inst)->start()) return {{"error", "start failed"}};
    while ((*inst)->times().boot_ready == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
    instances.push_back(std::move(*inst));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (auto& i : instances) guest_pages += i->resident_guest_pages().value();
  const int64_t cg1 = charged(), rss1 = rss_kib();
  uint64_t exits_before = 0, exits_after = 0;
  for (auto& i : instances) exits_before += i->stats().exits;
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (auto& i : instances) exits_after += i->stats().exits;
  for (auto& i : instances) i->kill();
  instances.clear();
  cgroup = vmm::Error("released");  // moves this process back and removes the group
  const double n = count;
  const double guest_kib = static_cast<double>(guest_pages) * 4.0;
  nlohmann::json j = {{"instances", count},
                      {"resident_guest_pages_per_instance", static_cast<double>(guest_pages) / n},
                      {"rss_kib_per_instance", static_cast<double>(rss1 - rss0) / n},
                      {"host_kib_per_instance_excluding_guest_pages",
                       static_cast<double>(rss1 - rss0 - static_cast<int64_t>(guest_kib)) / n},
                      {"idle_exits_in_1s", exits_after - exits_before}};
  if (cg0 >= 0 && cg1 >= 0) {
    j["cgroup_kib_per_instance"] = static_cast<double>(cg1 - cg0) / 1024.0 / n;
    j["cgroup_kib_per_instance_excluding_guest_pages"] = (static_cast<double>(cg1 - cg0) / 1024.0 - guest_kib) / n;
  }
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vmm-bootbench: libvmm boot path against the bare-KVM floor"};
  std::string image_path = VMM_GUEST_DIR "/hello.elf";
  std::string vmm_run;
  std::string json_path;
  int boots = 200;
  uint32_t idle = 0;
  std::string mem = "4";
  app.add_option("--image", image_path, "lean image that boots, says boot-ready and exits 0")->capture_default_str();
  app.add_option("--boots", boots, "boots (and floor samples) to take")->capture_default_str();
  app.add_option("--mem-mib", mem, "guest RAM in MiB")->capture_default_str();
  app.add_option("--exec", vmm_run, "also time this vmm-run binary as a whole process, --boots times");
  app.add_option("--idle", idle, "also start this many idle instances and report host memory per instance");
  app.add_option("--json", json_path, "write all samples and summaries here");
  bool huge_pages = false;
  app.add_flag("--huge-pages", huge_pages, "guest RAM in transparent huge pages (InstanceConfig::huge_pages)");
  CLI11_PARSE(app, argc, argv);
  const uint64_t memory = std::stoull(mem) << 20;

  auto kvm = vmm::Kvm::open();
  if (!kvm) return fmt::print(stderr, "{}\n", kvm.error().message()), 1;
  auto image = vmm::Image::open(image_path);
  if (!image) return fmt::print(stderr, "{}\n", image.error().message()), 1;
  const vmm::KvmHost& host = (*kvm)->host();
  const bool tr_busy = vmm::lean::tr_must_be_busy(**kvm);
  vmm::InstanceConfig shape;
  shape.kvm = *kvm;
  shape.image = *image;
  shape.memory_bytes = memory;
  shape.huge_pages = huge_pages;

  Samples libvmm, floor, process;
  for (int i = 0; i < 10; ++i) {  // warm-up: template built, caches hot
    boot_once(shape, nullptr, libvmm);
    vmm::bench::run_bare_floor((*kvm)->fd(), (*kvm)->caps().vcpu_mmap_size, tr_busy);
  }
  libvmm.clear();
  for (int i = 0; i < boots; ++i) {
    auto f = vmm::bench::run_bare_floor((*kvm)->fd(), (*kvm)->caps().vcpu_mmap_size, tr_busy);
    if (!f.ok) return fmt::print(stderr, "bare floor failed\n"), 1;
    floor["create_to_first_exit"].push_back(static_cast<double>(f.total_ns) / 1000.0);
    floor["vm_create"].push_back(static_cast<double>(f.create_ns) / 1000.0);
    floor["teardown"].push_back(static_cast<double>(f.teardown_ns) / 1000.0);
    if (!boot_once(shape, nullptr, libvmm)) return 1;
    if (!vmm_run.empty()) process["exec_to_exit"].push_back(exec_once(vmm_run, image_path));
  }

  // The counts, from untimed twins: a counting thread for the floor samples and boots.
  auto counting = vmm::bench::CountingThread::start();
  std::string exec_count_error;  // the first failure of count_exec, if any
  // One counted floor sample and one counted boot; false if the boot failed.
  auto count_floor_and_boot = [&](Samples& into_floor, Samples& into_libvmm) {
    if (!counting) return true;
    bool booted = false;
    (*counting)->run([&](const SyscallCounter& sc) {
      const auto f0 = sc.read();
      vmm::bench::run_bare_floor((*kvm)->fd(), (*kvm)->caps().vcpu_mmap_size, tr_busy);
      const auto f1 = sc.read();
      if (f0 && f1) into_floor["syscalls_to_closed"].push_back(static_cast<double>(sc.between(*f0, *f1)));
      booted = boot_once(shape, &sc, into_libvmm);
    });
    return booted;
  };

  if (counting) {  // warm-up of the counted path, not kept
    Samples scratch_floor, scratch_libvmm;
    for (int i = 0; i < 2; ++i) count_floor_and_boot(scratch_floor, scratch_libvmm);
  }
  for (int i = 0; i < boots && counting; ++i) {
    if (!count_floor_and_boot(floor, libvmm)) return fmt::print(stderr, "counted boot failed\n"), 1;
    if (!vmm_run.empty() && exec_count_error.empty()) {
      auto n = count_exec(vmm_run, image_path);
      if (n) process["syscalls_exec_to_exit"].push_back(static_cast<double>(*n));
      else exec_count_error = n.error().message();
    }
  }
  if (counting) counting->reset();  // ends the counting thread before anything else runs

  nlohmann::json report;
  report["kvm"] = vmm::bench::kvm_json(host);
  report["syscalls"] = counting ? nlohmann::json{{"available", true},
                                                {"counted", "raw_syscalls:sys_enter; the counter's own reads "
                                                            "excluded; from untimed twins of the timed samples"}}
                                : nlohmann::json{{"available", false}, {"reason", counting.error().message()}};
  if (!exec_count_error.empty()) report["syscalls"]["vmm_run_process_error"] = exec_count_error;
  auto summarize = [&](const char* title, const Samples& samples) {
    fmt::print("{}\n", title);
    for (const auto& [phase, v] : samples) {
      fmt::print("  {:<22} median {:9.1f}  p90 {:9.1f}\n", phase, median(v), percentile(v, 90));
      report[title][phase] = {{"median", median(v)}, {"p90", percentile(v, 90)}, {"samples", v}};
    }
  };
  fmt::print("{}", vmm::bench::kvm_header(host));
  fmt::print("{} boots of {} ({} MiB{}), microseconds (exits, pages and syscalls are counts)\n", boots, image_path, mem,
             huge_pages ? ", huge pages" : "");
  if (counting) {
    fmt::print("syscalls: host system calls (raw_syscalls:sys_enter), the counter's own reads excluded, "
               "from untimed twins of the timed samples\n");
  } else {
    fmt::print("syscalls: unavailable: {}\n", counting.error().message());
  }
  if (!exec_count_error.empty()) fmt::print("syscalls of the vmm-run process: unavailable: {}\n", exec_count_error);
  summarize("libvmm", libvmm);
  summarize("bare_kvm_floor", floor);
  if (!process.empty()) summarize("vmm_run_process", process);
  const double ready = median(libvmm["start_to_boot_ready"]);
  const double bare = median(floor["create_to_first_exit"]);
  fmt::print("boot-ready median {:.1f} us = floor {:.1f} us + {:.1f} us ({:.2f}x)\n", ready, bare, ready - bare,
             ready / bare);
  report["boot_ready_minus_floor_us"] = ready - bare;
  // The counts beside the times: medians per boot.
  auto med = [](const Samples& s, const char* key) -> std::string {
    auto it = s.find(key);
    return it == s.end() || it->second.empty() ? "n/a" : fmt::format("{:.0f}", median(it->second));
  };
  fmt::print("boot-ready median counts: {} exits ({} to the guest's exit), {} guest pages resident at exit, "
             "{} syscalls create -> boot-ready ({} create -> destroyed; bare floor {})\n",
             med(libvmm, "exits_to_boot_ready"), med(libvmm, "exits"), med(libvmm, "resident_guest_pages"),
             med(libvmm, "syscalls_to_boot_ready"), med(libvmm, "syscalls_to_destroyed"),
             med(floor, "syscalls_to_closed"));
  if (!process.empty()) {
    fmt::print("vmm-run process median: {:.1f} us and {} syscalls, exec -> exit\n", median(process["exec_to_exit"]),
               med(process, "syscalls_exec_to_exit"));
  }
  if (idle > 0) {
    auto waiter = std::string(VMM_GUEST_DIR) + "/waiter.elf";
    report["idle"] = idle_cost(shape, waiter, idle);
    fmt::print("idle instances: {}\n", report["idle"].dump());
  }
  if (!json_path.empty()) std::ofstream(json_path) << report.dump(1) << "\n";
  return 0;
}
