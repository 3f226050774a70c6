#include "options.h"

#include <limits.h>
#include <stdlib.h>

#include <cmath>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "host.h"

namespace coldstart {
namespace {

vmm::Result<uint64_t> parse_size(const std::string& text) {
  size_t pos = 0;
  uint64_t value = 0;
  try {
    value = std::stoull(text, &pos, 10);
  } catch (...) {
    return vmm::Error(fmt::format("--mem: invalid size '{}' (e.g. 4M, 512K)", text));
  }
  const std::string unit = text.substr(pos);
  int shift = unit.empty() ? 0 : unit == "K" || unit == "k" ? 10 : unit == "M" || unit == "m" ? 20
                                : unit == "G" || unit == "g" ? 30 : -1;
  if (shift < 0 || value == 0 || value > (uint64_t{1} << (63 - shift))) {
    return vmm::Error(fmt::format("--mem: invalid size '{}' (e.g. 4M, 512K)", text));
  }
  return value << shift;
}

const std::map<std::string, VmmMode> kModes = {
    {"libvmm", VmmMode::Libvmm}, {"vmm-run", VmmMode::VmmRun}, {"qemu", VmmMode::Qemu}};

}  // namespace

const char* to_string(VmmMode mode) {
  switch (mode) {
    case VmmMode::Libvmm: return "libvmm";
    case VmmMode::VmmRun: return "vmm-run";
    case VmmMode::Qemu: return "qemu";
  }
  return "?";
}

const char* template_placeholders() { return "{ip} {prefix} {gw} {netmask} {mac} {index} {tap}"; }

vmm::Result<std::string> expand_template(const std::string& text, const TemplateVars& vars) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') return vmm::Error(fmt::format("cmdline template: lone '}}' at offset {}", i));
    if (text[i] != '{') {
      out += text[i];
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string::npos) return vmm::Error(fmt::format("cmdline template: unclosed '{{' at offset {}", i));
    const std::string name = text.substr(i + 1, close - i - 1);
    auto it = vars.find(name);
    if (it == vars.end()) {
      return vmm::Error(fmt::format("cmdline template: unknown placeholder {{{}}} (known: {})", name,
                                    template_placeholders()));
    }
    out += it->second;
    i = close;
  }
  return out;
}

vmm::Result<Options> parse_options(int argc, char** argv, std::optional<int>* exit_code) {
  Options o;
  char resolved[PATH_MAX];
  const std::string up = executable_dir() + "/../..";  // <build>/benchmarks/coldstart -> <build>
  const std::string build = ::realpath(up.c_str(), resolved) != nullptr ? std::string(resolved) : up;
  o.image = build + "/guests/httpd.elf";
  o.vmm_run = build + "/examples/vmm-run/vmm-run";
  std::string mode = "libvmm";
  CLI::App app{
      "vmm-coldstart: starts N instances of a unikernel one after another, keeping every earlier one "
      "running, and measures each one's cold start (start call to the first byte of an HTTP 200) and "
      "host memory. Needs root and /dev/kvm."};
  app.add_option("--count,-n", o.count, "instances to start")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--image", o.image, "guest image (ELF)")->capture_default_str();
  app.add_option("--mem", o.mem_text, "guest RAM per instance")->capture_default_str();
  app.add_option("--cmdline-template", o.cmdline_template,
                 fmt::format("guest command line; placeholders {}", template_placeholders()))
      ->capture_default_str();
  app.add_option("--vmm", mode, "libvmm (in-process, workers), vmm-run or qemu (a process per instance)")
      ->capture_default_str()
      ->check(CLI::IsMember({"libvmm", "vmm-run", "qemu"}));
  app.add_flag("--compare", o.compare, "also run vmm-run and QEMU per process and report ratios per phase");
  app.add_option("--compare-count", o.compare_count, "instances of each process mode with --compare")
      ->capture_default_str();
  app.add_flag("--keep", o.keep, "keep instances, taps and namespace up after the run, until Ctrl-C");
  app.add_option("--out", o.out_dir, "directory for the CSV, summary and plot")->capture_default_str();
  app.add_option("--workers", o.workers, "worker processes (libvmm mode); 0: count / per-worker")
      ->capture_default_str();
  app.add_option("--per-worker,-K", o.per_worker, "instances per worker process")
      ->capture_default_str()
      ->check(CLI::Range(1, 20000));
  app.add_flag("--spread", o.spread, "assign instances round-robin over the workers (default: fill each in turn)");
  app.add_option("--timeout", o.timeout_s, "seconds an instance may take to answer")->capture_default_str();
  app.add_option("--idle", o.idle_s, "seconds of idleness in which instances must make no exits")
      ->capture_default_str();
  app.add_option("--progress-every", o.progress_every, "a progress line every this many instances")
      ->capture_default_str();
  app.add_option("--repeat", o.repeat, "run this many times, tearing down in between, and check for leaks")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  app.add_option("--probe-parallel", o.probe_parallel, "connections in flight when probing all instances at the end")
      ->capture_default_str();
  app.add_option("--vmm-run", o.vmm_run, "vmm-run binary for --vmm vmm-run")->capture_default_str();
  app.add_option("--qemu", o.qemu, "QEMU binary for --vmm qemu")->capture_default_str();
  app.add_option("--irqchip", o.irqchip, "interrupt controller for standard (non-lean) guests: split, kernel, none")
      ->capture_default_str()
      ->check(CLI::IsMember({"split", "kernel", "none"}));
  app.add_option("--ready-pattern", o.ready_pattern, "process modes: console text that marks the guest ready")
      ->capture_default_str();
  app.add_option("--port", o.port, "guest HTTP port")->capture_default_str();
  app.add_option("--path", o.http_path, "HTTP path to GET")->capture_default_str();
  app.add_flag("--no-plot", o.no_plot, "skip the gnuplot SVG/PNG");
  app.add_flag("--plot-script-only", o.plot_script_only,
               "write the plot's gnuplot script and data (OUT/<mode>.gp) but do not run gnuplot");
  app.add_flag("--pages-at-ready", o.pages_at_ready,
               "libvmm mode: also count guest pages touched by boot-ready (adds a /proc/self/pagemap read on the vCPU thread)");
  app.add_flag("--syscalls", o.syscalls,
               "libvmm mode: count each start's host system calls (slows each start by tens of microseconds on our "
               "PVM host; on by default inside QEMU-TCG, where times are not the point, with --pages-at-ready)");
  app.add_option("--worker", o.worker_fd, "internal: run as a worker on this socket fd")->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *exit_code = e.get_exit_code();
    if (e.get_exit_code() == 0) return vmm::Error(app.help());
    return vmm::Error(fmt::format("{}\nRun with --help for usage.", e.what()));
  }
  o.vmm = kModes.at(mode);
  o.memory_bytes = VMM_TRY(parse_size(o.mem_text));
  if (o.worker_fd >= 0) return o;
  if (o.timeout_s <= 0 || !std::isfinite(o.timeout_s)) return vmm::Error("--timeout must be positive");
  if (o.count <= 100 && o.progress_every > o.count) o.progress_every = o.count;
  // The template must expand with every placeholder known; catch mistakes before setup.
  TemplateVars probe = {{"ip", "198.18.0.16"}, {"prefix", "15"}, {"gw", "198.18.0.1"}, {"netmask", "255.254.0.0"},
                        {"mac", "02:00:c6:12:00:10"}, {"index", "0"}, {"tap", "cs0"}};
  VMM_TRY(expand_template(o.cmdline_template, probe));
  return o;
}

}  // namespace coldstart
