// Command-line options of vmm-run. Parsing is separate from main() so tests can check it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vmm/image.h"
#include "vmm/result.h"

namespace vmm_run {

struct Options {
  std::string image;
  uint64_t memory_bytes = 16ull << 20;
  uint32_t cpus = 1;
  std::string cmdline;
  std::vector<std::string> args;  // after "--": appended to the command line after " -- "
  double timeout_seconds = 0;     // 0: none
  bool json = false;
  bool quiet = false;             // no summary
  vmm::BootProtocol protocol = vmm::BootProtocol::Auto;
  std::string initrd;
  std::string irqchip = "kernel";   // kernel, split, none
  bool no_pit = false;
  bool huge_pages = false;          // guest RAM in transparent huge pages
  std::vector<std::string> nets;    // tap names
  std::vector<int> net_fds;         // open tap fds (after the named taps)
  std::vector<std::string> macs;    // MAC of the i-th net device (--net then --net-fd), optional
  std::vector<std::string> disks;   // FILE or FILE:ro
};

// Parses argv. On --help/--version, returns an Error whose message is the text to print
// and sets *exit_now to 0; on a usage error *exit_now stays unset.
vmm::Result<Options> parse_options(int argc, char** argv, std::optional<int>* exit_now);

// "02:00:c6:12:00:02" -> 6 bytes. Errors name the text.
vmm::Result<std::array<uint8_t, 6>> parse_mac(const std::string& text);

// "16M", "16MiB", "1G", "4096", "2k" -> bytes. Errors name the text.
vmm::Result<uint64_t> parse_size(const std::string& text);

// The guest command line: cmdline, then " -- " and the arguments (quoted when they
// contain spaces), the syntax Unikraft and our runtime split on.
std::string build_cmdline(const Options& options);

}  // namespace vmm_run
