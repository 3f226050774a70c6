#include "report.h"

#include <fmt/format.h>

namespace vmm_run {
namespace {

double ms_between(int64_t from, int64_t to) { return (from && to) ? static_cast<double>(to - from) / 1e6 : 0.0; }

std::string join_args(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

std::string size_text(uint64_t bytes) {
  if (bytes % (1ull << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes % (1ull << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  return fmt::format("{} KiB", bytes >> 10);
}

}  // namespace

std::string boot_summary(const vmm::Instance& instance, const Options& o) {
  const vmm::BootTimes t = instance.times();
  const auto& cfg = instance.config();
  return fmt::format(
      "[●] Booted successfully!\n"
      " │\n"
      " ├────────── name: {}\n"
      " ├────────── uuid: {}\n"
      " ├───────── state: running\n"
      " ├───────── image: {} ({} protocol)\n"
      " ├───── boot time: {:.3f} ms\n"
      " ├──────── memory: {}\n"
      " ├────────── vcpu: {}\n"
      " └────────── args: {}\n",
      instance.name(), instance.uuid(), cfg.image->path().empty() ? cfg.image->name() : cfg.image->path(),
      vmm::to_string(cfg.image->protocol()), ms_between(t.start_called, t.boot_ready), size_text(cfg.memory_bytes),
      cfg.vcpus, o.args.empty() ? cfg.cmdline : join_args(o.args));
}

std::string exit_line(const vmm::ExitInfo& exit, const vmm::Instance& instance) {
  const vmm::BootTimes t = instance.times();
  std::string line = fmt::format("[vmm-run] {}: {} after {:.3f} ms", instance.name(), exit.message,
                                 ms_between(t.start_called, t.exited));
  if (!exit.details.empty()) line += "\n" + exit.details;
  return line + "\n";
}

nlohmann::json json_report(const vmm::Instance& instance, const Options& o, const vmm::ExitInfo& exit) {
  const vmm::BootTimes t = instance.times();
  const vmm::InstanceStats s = instance.stats();
  const auto& cfg = instance.config();
  nlohmann::json j;
  j["name"] = instance.name();
  j["uuid"] = instance.uuid();
  j["image"] = cfg.image->path().empty() ? cfg.image->name() : cfg.image->path();
  j["protocol"] = vmm::to_string(cfg.image->protocol());
  j["memory_bytes"] = cfg.memory_bytes;
  j["vcpus"] = cfg.vcpus;
  j["cmdline"] = cfg.cmdline;
  j["args"] = o.args;
  j["times_ms"] = {
      {"vm_created", ms_between(t.start_called, t.vm_created)},
      {"memory_ready", ms_between(t.start_called, t.memory_ready)},
      {"vcpus_created", ms_between(t.start_called, t.vcpus_created)},
      {"vcpus_ready", ms_between(t.start_called, t.vcpus_ready)},
      {"first_entry", ms_between(t.start_called, t.first_entry)},
      {"boot_ready", ms_between(t.start_called, t.boot_ready)},
      {"exited", ms_between(t.start_called, t.exited)},
  };
  j["stats"] = {{"exits", s.exits},           {"exits_io", s.exits_io},
                {"exits_mmio", s.exits_mmio}, {"exits_interrupted", s.exits_interrupted},
                {"hypercalls", s.hypercalls}, {"hypercalls_rejected", s.hypercalls_rejected},
                {"console_bytes", s.console_bytes}, {"console_dropped", s.console_dropped}};
  j["exit"] = {{"reason", vmm::to_string(exit.reason)}, {"status", exit.status}, {"message", exit.message},
               {"details", exit.details}};
  j["vmm_run_status"] = exit_status(exit);
  return j;
}

int exit_status(const vmm::ExitInfo& exit) {
  switch (exit.reason) {
    case vmm::ExitReason::GuestExit: return static_cast<int>(exit.status & 0xff);
    case vmm::ExitReason::Reset:
    case vmm::ExitReason::PowerOff: return 0;
    case vmm::ExitReason::Timeout: return kExitTimeout;
    case vmm::ExitReason::Crash: return kExitCrash;
    case vmm::ExitReason::Stopped:
    case vmm::ExitReason::Killed: return kExitKilled;
    case vmm::ExitReason::VmmError: return kExitVmmError;
  }
  return kExitVmmError;
}

}  // namespace vmm_run
