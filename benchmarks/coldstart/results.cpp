#include "results.h"

#include <algorithm>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "../support/stats.h"

namespace coldstart {
namespace {

// Nearest-rank percentile; NaN for no samples (so ratios of empty groups stay n/a).
double percentile(const std::vector<double>& v, double p) {
  return v.empty() ? std::nan("") : vmm::bench::percentile(v, p);
}

double ns_ms(int64_t from, int64_t to) { return from && to ? static_cast<double>(to - from) / 1e6 : std::nan(""); }

std::vector<double> values(const std::vector<Sample>& samples, const Phase& p, size_t begin = 0,
                           size_t end = SIZE_MAX) {
  std::vector<double> v;
  end = std::min(end, samples.size());
  for (size_t i = begin; i < end; ++i) {
    const Sample& s = samples[i];
    const double ms = ns_ms(s.*p.from, s.*p.to);
    if (s.counted() && std::isfinite(ms)) v.push_back(ms);
  }
  return v;
}

const Phase kColdStart{"cold_start", "cold start: start call -> first HTTP 200", &Sample::start_ns, &Sample::first_200_ns};
const Phase kVmCreate{"vm_create", "KVM_CREATE_VM", &Sample::vmm_start_ns, &Sample::vm_created_ns};

std::string fmt_ms(double v) { return std::isfinite(v) ? fmt::format("{:.3f}", v) : "n/a"; }
std::string fmt_count(int64_t v) { return v >= 0 ? std::to_string(v) : "n/a"; }

const std::vector<Sample>* find(const std::vector<ModeSamples>& runs, const char* mode) {
  for (const ModeSamples& r : runs) {
    if (r.mode == mode) return r.samples;
  }
  return nullptr;
}

// "12.3x", or "n/a" when either side is unknown.
std::string ratio(double a, double b) {
  return std::isfinite(a) && std::isfinite(b) && b > 0 ? fmt::format("{:.1f}x", a / b) : "n/a";
}

}  // namespace

const std::vector<Phase>& phases() {
  static const std::vector<Phase> list = {
      {"harness_to_vmm", "start call -> VMM start (IPC/exec)", &Sample::start_ns, &Sample::vmm_start_ns},
      {"vm_create", "VMM start -> KVM_CREATE_VM done", &Sample::vmm_start_ns, &Sample::vm_created_ns},
      {"vm_setup", "VM created -> ready to run (RAM, vCPU, boot data)", &Sample::vm_created_ns, &Sample::vm_ready_ns},
      {"to_first_entry", "ready to run -> first KVM_RUN", &Sample::vm_ready_ns, &Sample::first_entry_ns},
      {"vmm_share", "VMM's: start call -> first guest entry", &Sample::start_ns, &Sample::first_entry_ns},
      {"guest_share", "guest's: first entry -> boot-ready", &Sample::first_entry_ns, &Sample::boot_ready_ns},
      {"start_to_boot_ready", "start call -> boot-ready", &Sample::start_ns, &Sample::boot_ready_ns},
      {"network_share", "network's: boot-ready -> first 200", &Sample::boot_ready_ns, &Sample::first_200_ns},
      kColdStart,
  };
  return list;
}

double phase_median(const std::vector<Sample>& samples, const Phase& p) {
  return percentile(values(samples, p), 50);
}

vmm::Result<void> write_csv(const std::string& path, const std::vector<Sample>& samples) {
  std::ofstream out(path);
  if (!out) return vmm::Error::from_errno("writing " + path);
  out << "index,worker,slot,start_ns,vmm_start_ns,vm_created_ns,vm_ready_ns,first_entry_ns,boot_ready_ns,"
         "connected_ns,first_200_ns,cold_start_ms,vm_create_ms,vmm_ms,guest_ms,network_ms,vmm_times_estimated,"
         "retransmits,flagged,rst_retries,redials,guest_pages,exits,pages_at_ready,exits_at_ready,syscalls_in_start,"
         "syscalls_to_ready,ok,error\n";
  for (const Sample& s : samples) {
    std::string error = s.error;
    std::replace(error.begin(), error.end(), '"', '\'');
    std::replace(error.begin(), error.end(), '\n', ' ');
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"\n", s.index, s.worker,
                       s.slot, s.start_ns, s.vmm_start_ns, s.vm_created_ns, s.vm_ready_ns, s.first_entry_ns,
                       s.boot_ready_ns, s.connected_ns, s.first_200_ns, fmt_ms(s.cold_start_ms()),
                       fmt_ms(ns_ms(s.vmm_start_ns, s.vm_created_ns)), fmt_ms(ns_ms(s.start_ns, s.first_entry_ns)),
                       fmt_ms(ns_ms(s.first_entry_ns, s.boot_ready_ns)), fmt_ms(ns_ms(s.boot_ready_ns, s.first_200_ns)),
                       s.vmm_times_estimated ? 1 : 0, s.retransmits, s.flagged() ? 1 : 0, s.rst_retries,
                       s.redials, s.guest_pages, s.exits, s.pages_at_ready, s.exits_at_ready,
                       fmt_count(s.syscalls_in_start), fmt_count(s.syscalls_to_ready), s.ok ? 1 : 0, error);
  }
  if (!out.flush()) return vmm::Error::from_errno("writing " + path);
  return {};
}

void Report::section(const std::string& title) {
  section_ = title;
  if (!json_.contains(title)) json_[title] = nlohmann::json::object();
  text_ += fmt::format("\n{}\n", title);
}

void Report::add(const std::string& key, double value, const char* unit, const std::string& label, int decimals) {
  json_[section_][key] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  const std::string v = std::isfinite(value) ? fmt::format("{:.{}f}", value, decimals) : "n/a";
  text_ += fmt::format("  {:<52} {:>12} {}\n", label, v, unit);
}

void Report::add_text(const std::string& key, const std::string& value, const std::string& label) {
  json_[section_][key] = value;
  text_ += fmt::format("  {:<52} {}\n", label, value);
}

void Report::note(const std::string& text) {
  json_[section_]["notes"].push_back(text);
  text_ += fmt::format("  {}\n", text);
}

void Report::append(const std::string& key, const std::string& heading, const Report& part) {
  json_[key] = part.json_;
  text_ += fmt::format("\n=== {} ===\n{}", heading, part.text_);
}

void summarize_samples(const std::vector<Sample>& samples, Report& r, const std::string& syscalls_missing) {
  size_t ok = 0, flagged = 0, rst = 0, redials = 0;
  int64_t first_start = 0, last_200 = 0;
  for (const Sample& s : samples) {
    ok += s.ok;
    flagged += s.ok && s.flagged();
    rst += s.rst_retries;
    redials += s.redials;
    if (s.start_ns && (!first_start || s.start_ns < first_start)) first_start = s.start_ns;
    last_200 = std::max(last_200, s.first_200_ns);
  }
  r.section("instances");
  r.add("started", static_cast<double>(samples.size()), "", "instances started", 0);
  r.add("answered", static_cast<double>(ok), "", "answered HTTP 200", 0);
  r.add("failed", static_cast<double>(samples.size() - ok), "", "failed (no 200 within the timeout)", 0);
  r.add("flagged_retransmit", static_cast<double>(flagged), "", "flagged: TCP retransmission seen (excluded)", 0);
  r.add("rst_retries", static_cast<double>(rst), "", "connections refused (RST) and retried", 0);
  r.add("redials", static_cast<double>(redials), "", "first SYN unanswered at boot-ready, dialled again", 0);
  size_t listed = 0;
  for (const Sample& s : samples) {
    if (!s.ok && listed++ < 10) r.note(fmt::format("instance {} failed: {}", s.index, s.error));
  }
  if (listed > 10) r.note(fmt::format("... and {} more failures (see the CSV)", listed - 10));

  const auto all = values(samples, kColdStart);
  r.section("cold start (ms)");
  r.add("p50", percentile(all, 50), "ms", "p50");
  r.add("p90", percentile(all, 90), "ms", "p90");
  r.add("p99", percentile(all, 99), "ms", "p99");
  r.add("max", percentile(all, 100), "ms", "max");
  r.add("min", percentile(all, 0), "ms", "min");
  const size_t n = samples.size(), w = std::min<size_t>(100, n);
  const double first = percentile(values(samples, kColdStart, 0, w), 50);
  const double last = percentile(values(samples, kColdStart, n - w, n), 50);
  r.add("p50_first_100", first, "ms", fmt::format("p50 of the first {}", w));
  r.add("p50_last_100", last, "ms", fmt::format("p50 of the last {}", w));
  r.add("growth_ratio", last / first, "x", "growth: p50(last) / p50(first)", 2);
  const double wall_s = first_start && last_200 ? static_cast<double>(last_200 - first_start) / 1e9 : std::nan("");
  r.add("wall_s", wall_s, "s", "first start call -> last first 200", 2);
  r.add("instances_per_s", static_cast<double>(ok) / wall_s, "/s", "instances per second (sequential)", 1);

  r.section("phases (median ms)");
  for (const Phase& p : phases()) r.add(p.key, phase_median(samples, p), "ms", p.label);

  // Exits and guest pages on each side of boot-ready (libvmm mode; pages with --pages-at-ready).
  // "After" runs to the query at the end of the run: the first 200 and its connection's
  // close, since idle instances make no exits (checked below).
  auto split_median = [&](uint64_t Sample::*at_ready, uint64_t Sample::*at_end, bool after) {
    std::vector<double> v;
    for (const Sample& s : samples) {
      if (!s.counted() || s.*at_ready == 0 || s.*at_end < s.*at_ready) continue;
      v.push_back(static_cast<double>(after ? s.*at_end - s.*at_ready : s.*at_ready));
    }
    return percentile(v, 50);
  };
  const bool have_exits = std::any_of(samples.begin(), samples.end(), [](const Sample& s) { return s.exits_at_ready; });
  const bool have_pages = std::any_of(samples.begin(), samples.end(), [](const Sample& s) { return s.pages_at_ready; });
  if (have_exits || have_pages) {
    r.section("exits and guest pages by phase (median per instance)");
    if (have_exits) {
      r.add("exits_to_ready", split_median(&Sample::exits_at_ready, &Sample::exits, false), "",
            "exits: start call -> boot-ready", 1);
      r.add("exits_after_ready", split_median(&Sample::exits_at_ready, &Sample::exits, true), "",
            "exits: boot-ready -> first 200 and close", 1);
    }
    if (have_pages) {
      r.add("pages_to_ready", split_median(&Sample::pages_at_ready, &Sample::guest_pages, false), "",
            "guest pages touched: start call -> boot-ready", 1);
      r.add("pages_after_ready", split_median(&Sample::pages_at_ready, &Sample::guest_pages, true), "",
            "guest pages touched: boot-ready -> first 200 and close", 1);
    }
  }

  // The VMM's host system calls per start (libvmm mode): exact counts, so min = max on a
  // quiet host for an unchanged path; start_syscalls.h says what is counted.
  std::vector<double> in_start, to_ready, on_vcpu;
  for (const Sample& s : samples) {
    if (!s.counted() || s.syscalls_in_start < 0 || s.syscalls_to_ready < 0) continue;
    in_start.push_back(static_cast<double>(s.syscalls_in_start));
    to_ready.push_back(static_cast<double>(s.syscalls_to_ready));
    on_vcpu.push_back(static_cast<double>(s.syscalls_to_ready - s.syscalls_in_start));
  }
  if (!to_ready.empty() || !syscalls_missing.empty()) {
    r.section("VMM system calls per start (median per instance)");
    if (to_ready.empty()) {
      r.note("system calls: " + syscalls_missing);
    } else {
      r.add("syscalls_to_ready", percentile(to_ready, 50), "", "system calls: VMM start -> boot-ready", 0);
      r.add("syscalls_to_ready_min", percentile(to_ready, 0), "", "  min over instances", 0);
      r.add("syscalls_to_ready_max", percentile(to_ready, 100), "", "  max over instances", 0);
      r.add("syscalls_in_start", percentile(in_start, 50), "", "  in Instance::create() + start() (main thread)", 0);
      r.add("syscalls_vcpu_to_ready", percentile(on_vcpu, 50), "", "  on the vCPU thread, to boot-ready", 0);
      r.note("counted in the worker (raw_syscalls:sys_enter): its main thread from Instance::create() to start()'s "
             "return, the instance's vCPU thread from its creation to boot-ready; not its reply to the harness, "
             "other instances, or the counting's own reads");
      r.note("counting slows each start (~40 us on our nested PVM host, mostly creating the vCPU thread that "
             "inherits a counter); compare times only between runs that both count");
    }
  }

  // KVM_CREATE_VM against the instances already in the same process (sharding choice).
  std::map<int, std::vector<Sample>> by_bucket;
  int max_slot = -1;
  for (const Sample& s : samples) max_slot = std::max(max_slot, s.slot);
  if (max_slot >= 0) {
    const int bucket = max_slot >= 500 ? 250 : max_slot >= 100 ? 50 : 10;
    for (const Sample& s : samples) {
      if (s.slot >= 0) by_bucket[s.slot / bucket].push_back(s);
    }
    r.section("KVM_CREATE_VM by instances already in the worker (median ms)");
    for (const auto& [b, group] : by_bucket) {
      r.add(fmt::format("slots_{}_{}", b * bucket, b * bucket + bucket - 1), phase_median(group, kVmCreate), "ms",
            fmt::format("slots {:>5}-{:<5} ({} samples)", b * bucket, b * bucket + bucket - 1, group.size()));
    }
  }
}

void report_comparison(const std::vector<ModeSamples>& runs, Report& r) {
  const auto* lib = find(runs, "libvmm");
  const auto* proc = find(runs, "vmm-run");
  const auto* qemu = find(runs, "qemu");
  r.section("comparison: medians per phase (ms) and ratios");
  r.add_text("header",
             fmt::format("{:>10} {:>10} {:>10} {:>12} {:>12}", "libvmm", "vmm-run", "qemu", "qemu/vmm-run",
                         "vmm-run/libvmm"),
             "phase");
  for (const Phase& p : phases()) {
    auto median = [&](const std::vector<Sample>* s) { return s ? phase_median(*s, p) : std::nan(""); };
    const double a = median(lib), b = median(proc), c = median(qemu);
    auto cell = [](double v) { return std::isfinite(v) ? fmt::format("{:10.3f}", v) : fmt::format("{:>10}", "n/a"); };
    r.add_text(p.key, fmt::format("{} {} {} {:>12} {:>12}", cell(a), cell(b), cell(c), ratio(c, b), ratio(b, a)),
               p.label);
    r.json()["comparison"][std::string(p.key) + "_ratio_qemu_vmm_run"] =
        std::isfinite(c / b) ? nlohmann::json(c / b) : nlohmann::json(nullptr);
  }
  r.note("guest's share: first guest entry -> boot-ready (the image's own boot; QEMU's is not observable apart "
         "from its VMM, so it is inside start -> boot-ready)");
  r.note("VMM's share: start call -> first guest entry (process exec, KVM VM and vCPU setup, image load)");
  r.note("network's share: boot-ready -> first byte of the 200 (SYN already queued in the tap, handshake, request, "
         "response)");
  for (const ModeSamples& run : runs) r.note(fmt::format("{}: {} instances", run.mode, run.samples->size()));
}

}  // namespace coldstart
