#include "options.h"

#include <cstdio>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace vmm_run {

vmm::Result<uint64_t> parse_size(const std::string& text) {
  size_t pos = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &pos, 10);
  } catch (...) {
    return vmm::Error(fmt::format("invalid size '{}' (expected e.g. 16M, 512K, 1G)", text));
  }
  std::string unit = text.substr(pos);
  uint64_t mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "K" || unit == "k" || unit == "KiB" || unit == "KB") mult = 1ull << 10;
  else if (unit == "M" || unit == "m" || unit == "MiB" || unit == "MB") mult = 1ull << 20;
  else if (unit == "G" || unit == "g" || unit == "GiB" || unit == "GB") mult = 1ull << 30;
  else return vmm::Error(fmt::format("invalid size '{}': unknown unit '{}'", text, unit));
  uint64_t bytes;
  if (value == 0 || __builtin_mul_overflow(static_cast<uint64_t>(value), mult, &bytes)) {
    return vmm::Error(fmt::format("invalid size '{}'", text));
  }
  return bytes;
}

std::string build_cmdline(const Options& o) {
  std::string line = o.cmdline;
  if (o.args.empty()) return line;
  if (!line.empty()) line += ' ';
  line += "--";
  for (const auto& a : o.args) {
    line += ' ';
    if (a.find_first_of(" \t") != std::string::npos || a.empty()) line += '"' + a + '"';
    else line += a;
  }
  return line;
}

vmm::Result<std::array<uint8_t, 6>> parse_mac(const std::string& text) {
  std::array<uint8_t, 6> mac{};
  unsigned v[6];
  char end;
  if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6) {
    return vmm::Error(fmt::format("invalid MAC address '{}' (expected six hex bytes, 02:00:00:00:00:01)", text));
  }
  for (int i = 0; i < 6; ++i) mac[static_cast<size_t>(i)] = static_cast<uint8_t>(v[i]);
  if (mac[0] & 1) return vmm::Error(fmt::format("MAC address '{}' is a multicast address", text));
  return mac;
}

vmm::Result<Options> parse_options(int argc, char** argv, std::optional<int>* exit_now) {
  Options o;
  CLI::App app{"vmm-run: boot a unikernel image with libvmm and stream its console"};
  app.set_version_flag("--version", "vmm-run 0.1.0");
  std::string mem = "16M";
  std::string protocol = "auto";
  app.add_option("--mem", mem, "guest RAM (e.g. 4M, 512M, 1G)")->capture_default_str();
  app.add_option("--cpus", o.cpus, "number of vCPUs")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--cmdline", o.cmdline, "guest command line (runtime parameters)");
  app.add_option("--timeout", o.timeout_seconds, "kill the guest after SEC seconds (exit status 124)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--protocol", protocol, "boot protocol: auto, lean, linux, pvh, multiboot")->capture_default_str();
  app.add_option("--initrd", o.initrd, "initial ramdisk / boot module for standard guests");
  app.add_option("--irqchip", o.irqchip, "interrupt controller for standard guests: kernel, split, none")
      ->capture_default_str()
      ->check(CLI::IsMember({"kernel", "split", "none"}));
  app.add_flag("--no-pit", o.no_pit, "no i8254 PIT for standard guests");
  app.add_flag("--huge-pages", o.huge_pages, "guest RAM in transparent huge pages (default: 4 KiB pages)");
  // One value per occurrence, so `--net tap0 image.elf` leaves the image positional.
  app.add_option("--net", o.nets, "attach a virtio-net device on tap interface TAP (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--net-fd", o.net_fds, "attach a virtio-net device on the open tap FD inherited from the caller "
                 "(repeatable; after the --net devices)")
      ->allow_extra_args(false)
      ->check(CLI::NonNegativeNumber);
  app.add_option("--mac", o.macs, "MAC address of the i-th net device (repeatable; default: random)")
      ->allow_extra_args(false);
  app.add_option("--disk", o.disks, "attach a virtio-blk device on FILE, read-only with FILE:ro (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("--json", o.json, "print one JSON document (summary, times, exit) on stdout; console to stderr");
  app.add_flag("-q,--quiet", o.quiet, "no boot summary");
  app.add_option("image", o.image, "ELF image to boot")->required();
  app.add_option("args", o.args, "arguments for the guest application (after --)");
  app.positionals_at_end(false);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion&) {
    *exit_now = 0;
    return vmm::Error("vmm-run 0.1.0");
  } catch (const CLI::Success&) {
    *exit_now = 0;
    return vmm::Error(app.help());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      *exit_now = 0;
      return vmm::Error(app.help());
    }
    return vmm::Error(fmt::format("{}\nRun with --help for usage.", e.what()));
  }
  o.memory_bytes = VMM_TRY(parse_size(mem));
  if (o.macs.size() > o.nets.size() + o.net_fds.size()) return vmm::Error("more --mac than --net/--net-fd options");
  for (const auto& mac : o.macs) VMM_TRY(parse_mac(mac));
  if (protocol == "auto") o.protocol = vmm::BootProtocol::Auto;
  else if (protocol == "lean") o.protocol = vmm::BootProtocol::Lean;
  else if (protocol == "linux") o.protocol = vmm::BootProtocol::Linux64;
  else if (protocol == "pvh") o.protocol = vmm::BootProtocol::Pvh;
  else if (protocol == "multiboot") o.protocol = vmm::BootProtocol::Multiboot;
  else return vmm::Error(fmt::format("unknown --protocol '{}' (auto, lean, linux, pvh, multiboot)", protocol));
  return o;
}

}  // namespace vmm_run
