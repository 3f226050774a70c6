// vmm-coldstart's command line, and the guest command-line template.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "vmm/result.h"

namespace coldstart {

// How each instance is run.
enum class VmmMode {
  Libvmm,  // in-process: worker processes each host up to K instances through libvmm
  VmmRun,  // a vmm-run process per instance (start, measure, stop)
  Qemu,    // a qemu-system-x86_64 -M microvm process per instance (start, measure, stop)
};
const char* to_string(VmmMode mode);

struct Options {
  uint32_t count = 5000;
  std::string image;  // default: <build>/guests/httpd.elf
  std::string mem_text = "4M";
  uint64_t memory_bytes = 4ull << 20;
  std::string cmdline_template = "netdev.ip={ip}/{prefix}:{gw} -- ";
  VmmMode vmm = VmmMode::Libvmm;
  bool compare = false;         // libvmm in-process, then vmm-run and QEMU per process
  uint32_t compare_count = 200;  // instances in each process mode of --compare
  bool keep = false;            // leave everything up until Ctrl-C
  std::string out_dir = "coldstart-out";
  uint32_t workers = 0;         // 0: ceil(count / per_worker)
  uint32_t per_worker = 50;     // K: instances per worker process (docs/coldstart.md, "Sharding")
  bool spread = false;          // round-robin over the workers instead of filling one after another
  double timeout_s = 10;        // per instance: start call to the first 200
  double idle_s = 3;            // window in which idle instances must make no exits
  uint32_t progress_every = 100;
  uint32_t repeat = 1;          // > 1: run, tear down, repeat, and compare host counters
  uint32_t probe_parallel = 16;  // connections in flight during the final probe of all
  std::string vmm_run;          // default: <build>/examples/vmm-run/vmm-run
  std::string qemu = "qemu-system-x86_64";
  std::string irqchip = "split";  // standard (non-lean) guests in libvmm modes
  std::string ready_pattern = "listening";  // process modes: console text = boot-ready
  uint16_t port = 80;
  std::string http_path = "/";
  bool no_plot = false;
  bool plot_script_only = false;  // write OUT/<mode>.gp and its data, do not run gnuplot
  bool pages_at_ready = false;  // libvmm mode: count guest pages at boot-ready (a /proc/self/pagemap read on the vCPU thread)
  bool syscalls = false;        // libvmm mode: count each start's system calls (start_syscalls.h)
  int worker_fd = -1;           // internal: --worker FD runs a worker process
};

// Parses argv; on --help or a usage error returns the text to print and sets *exit_code.
vmm::Result<Options> parse_options(int argc, char** argv, std::optional<int>* exit_code);

// Values for the template's placeholders: {ip} {prefix} {gw} {netmask} {mac} {index} {tap}.
using TemplateVars = std::map<std::string, std::string>;
// Replaces every {name}; an unknown placeholder or a lone brace is an error naming it.
vmm::Result<std::string> expand_template(const std::string& text, const TemplateVars& vars);
// The placeholder names expand_template accepts, for messages and --help.
const char* template_placeholders();

}  // namespace coldstart
