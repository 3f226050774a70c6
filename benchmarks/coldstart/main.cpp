// vmm-coldstart: starts N unikernel instances one after another, each with its own tap and
// address, keeping every earlier one running, and measures each cold start (start call to
// the first byte of an HTTP 200 at a host client) and the host memory per instance; writes
// a CSV of every instance, a summary, and the plot. See docs/coldstart.md. Every summary and
// the plot name the KVM it ran on and, inside QEMU-TCG, mark every time as emulated.
//
//   vmm-coldstart [--count N] [--image ELF] [--mem 4M] [--cmdline-template T]
//                 [--vmm libvmm|vmm-run|qemu] [--compare] [--keep] [--out DIR] [-K K] ...
//
// Exit status: 0 every instance answered (and, in libvmm mode, answered again at the end);
// 1 setup error (message on stderr); 2 an instance was lost; 130 interrupted (Ctrl-C).
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "../support/kvm_report.h"
#include "kvm_info.h"
#include "leakcheck.h"
#include "modes.h"
#include "netlab.h"
#include "plot.h"
#include "worker.h"

using namespace coldstart;

namespace {

int fail(const std::string& message) {
  fmt::print(stderr, "vmm-coldstart: {}\n", message);
  return 1;
}

// Root, /dev/kvm, the image, iproute2 and enough fds: checked before anything is created.
vmm::Result<void> preflight(const Options& o, uint64_t fd_limit) {
  if (::geteuid() != 0) {
    return vmm::Error("needs root: it creates a network namespace, taps and a memory cgroup (run with sudo)");
  }
  if (::access("/dev/kvm", R_OK | W_OK) != 0) {
    return vmm::Error::from_errno("/dev/kvm is not usable (is KVM enabled in this machine?)");
  }
  if (::access(o.image.c_str(), R_OK) != 0) {
    return vmm::Error(fmt::format("image not found: {} (build it with `make guest_httpd`, or pass --image)", o.image));
  }
  bool have_ip = false;
  for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
    have_ip = have_ip || ::access(fmt::format("{}/ip", dir).c_str(), X_OK) == 0;
  }
  if (!have_ip) return vmm::Error("`ip` not found: install iproute2");
  const uint64_t need = uint64_t{o.count} + 256;  // the tap fds the harness holds, plus sockets
  if (fd_limit < need) {
    return vmm::Error(fmt::format("RLIMIT_NOFILE is {}, {} instances need at least {} (ulimit -n)", fd_limit, o.count, need));
  }
  return {};
}

std::string first_match(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      const size_t colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "?";
}

void describe_machine(Report& r, int argc, char** argv, const KvmInfo& k) {
  r.section("machine and command");
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  r.add_text("command", command, "command");
  char date[64];
  const std::time_t t = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  r.add_text("date", date, "date");
  utsname u{};
  ::uname(&u);
  r.add_text("kernel", fmt::format("{} {}", u.sysname, u.release), "kernel");
  r.add_text("cpu", first_match("/proc/cpuinfo", "model name"), "CPU");
  r.add("cpus", static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN)), "", "online CPUs", 0);
  r.add_text("memory", first_match("/proc/meminfo", "MemTotal"), "memory");
  r.add_text("kvm_host", k.describe(), "KVM");  // flavour and module, from Kvm::host()
  if (k.emulated()) r.note(vmm::bench::kEmulatedTimes);
  r.json()["kvm"] = kvm_json(k);  // top level: {"flavour", "hypervisor", "emulated", "describe"}
}

// CSV, summary and plot of one mode's run, named after the mode; returns the plot's paths.
std::string write_outputs(const ModeRun& run, const Options& o, const KvmInfo& k, Report& all) {
  const std::string stem = to_string(run.mode);
  const std::string base = o.out_dir + "/" + stem;
  if (auto w = write_csv(base + ".csv", run.samples); !w) fmt::print(stderr, "warning: {}\n", w.error().message());
  nlohmann::json mode_json = run.report.json();
  mode_json["kvm"] = kvm_json(k);
  std::ofstream(base + "-summary.json") << mode_json.dump(1) << "\n";
  std::ofstream(base + "-summary.txt") << kvm_header(k) << run.report.text();
  all.append(stem, fmt::format("{} ({} instances)", stem, run.samples.size()), run.report);
  if (o.no_plot || run.samples.empty()) return {};
  const std::string image = o.image.substr(o.image.rfind('/') + 1);
  const std::string title =
      run.mode == VmmMode::Libvmm
          ? fmt::format("{} instances of {} started one after another (libvmm), all kept running", run.samples.size(), image)
          : fmt::format("{} instances of {} started one after another ({}), each stopped after its 200",
                        run.samples.size(), image, stem);
  auto plot = plot_cold_starts(run.samples, o.out_dir, stem, title + kvm_title_lines(k), !o.plot_script_only);
  if (!plot) {
    fmt::print(stderr, "warning: {}\n", plot.error().message());
    return {};
  }
  if (o.plot_script_only) return fmt::format("{}/{}.gp (gnuplot it for {} and {})", o.out_dir, stem, plot->svg, plot->png);
  return plot->svg + " and " + plot->png;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<int> exit_code;
  auto parsed = parse_options(argc, argv, &exit_code);
  if (!parsed) {
    if (exit_code && *exit_code == 0) return fmt::print("{}\n", parsed.error().message()), 0;
    return fail(parsed.error().message());
  }
  Options& o = *parsed;
  if (o.worker_fd >= 0) return worker_main(o.worker_fd);

  const uint64_t fd_limit = raise_fd_limit();
  if (auto ok = preflight(o, fd_limit); !ok) return fail(ok.error().message());
  auto signals = StopSignals::install();
  if (!signals) return fail(signals.error().message());
  if (::mkdir(o.out_dir.c_str(), 0755) != 0 && errno != EEXIST) return fail("cannot create --out " + o.out_dir);

  const KvmInfo kvm = detect_kvm();
  fmt::print("{}", kvm_header(kvm));
  if (kvm.emulated() && !(o.syscalls && o.pages_at_ready)) {
    // Inside QEMU-TCG the times say nothing about libvmm; the counts are what a change
    // can be judged by there, so they are taken whatever they cost.
    o.syscalls = o.pages_at_ready = true;
    fmt::print("counting system calls and guest pages per start (--syscalls --pages-at-ready): on when emulated\n");
  }
  std::fflush(stdout);
  Report summary;
  describe_machine(summary, argc, argv, kvm);
  std::vector<HostSnapshot> snapshots = {take_snapshot()};
  std::vector<ModeRun> runs;
  bool interrupted = false;
  for (uint32_t rep = 1; rep <= o.repeat && !interrupted; ++rep) {
    if (o.repeat > 1) fmt::print("=== repeat {}/{} ===\n", rep, o.repeat);
    runs.clear();
    std::vector<std::pair<VmmMode, uint32_t>> plan = {{o.vmm, o.count}};
    if (o.compare) plan = {{VmmMode::Libvmm, o.count}, {VmmMode::VmmRun, o.compare_count}, {VmmMode::Qemu, o.compare_count}};
    for (const auto& [mode, count] : plan) {
      const std::string name = fmt::format("vmmcs-{}-{}-{}", ::getpid(), rep, to_string(mode));
      auto run = mode == VmmMode::Libvmm ? run_libvmm(count, o, *signals, name)
                                         : run_process_mode(mode, count, o, *signals, name);
      if (!run) return fail(run.error().message());
      interrupted = run->interrupted;
      runs.push_back(std::move(*run));
      if (interrupted) break;
    }
    snapshots.push_back(take_snapshot());
  }

  std::vector<std::pair<std::string, std::string>> plots;
  for (const ModeRun& run : runs) plots.emplace_back(to_string(run.mode), write_outputs(run, o, kvm, summary));
  if (runs.size() > 1) {
    std::vector<ModeSamples> list;
    for (const ModeRun& run : runs) list.push_back({to_string(run.mode), &run.samples});
    report_comparison(list, summary);
  }
  if (o.repeat > 1) report_leaks(snapshots, summary);
  if (interrupted) {
    summary.section("interrupted");
    summary.note("stopped by a signal; results cover the instances measured before it, and everything was torn down");
  }
  summary.section("outputs");
  summary.add_text("directory", o.out_dir, "directory (summary.txt/.json, <mode>.csv)");
  for (const auto& [mode, paths] : plots) {
    if (!paths.empty()) summary.add_text(mode + "_plot", paths, fmt::format("plot ({})", mode));
  }
  std::ofstream(o.out_dir + "/summary.json") << summary.json().dump(1) << "\n";
  std::ofstream(o.out_dir + "/summary.txt") << summary.text();
  fmt::print("{}", summary.text());
  if (interrupted) return 130;
  // Exit 2 when an instance was lost: it never answered, or not in the final probe.
  for (const ModeRun& run : runs) {
    const auto& j = run.report.json();
    for (const Sample& s : run.samples) {
      if (!s.ok) return 2;
    }
    if (j.contains("final probe of every instance") &&
        j["final probe of every instance"]["answered"] != j["final probe of every instance"]["probed"]) {
      return 2;
    }
  }
  return 0;
}
