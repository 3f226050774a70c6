#include "leakcheck.h"

#include <dirent.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace coldstart {
namespace {

template <class F>
void for_each_number_entry(const std::string& dir, F&& f) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9') f(std::string(e->d_name));
  }
  ::closedir(d);
}

int64_t meminfo(const char* key) {
  std::ifstream in("/proc/meminfo");
  std::string k;
  int64_t v;
  std::string unit;
  while (in >> k >> v) {
    std::getline(in, unit);
    if (k == key) return v;
  }
  return -1;
}

void count_processes(HostSnapshot& s) {
  const std::string self = std::to_string(::getpid());
  s.children = 0;
  s.kvm_threads = 0;
  for_each_number_entry("/proc", [&](const std::string& pid) {
    std::ifstream stat("/proc/" + pid + "/stat");
    std::string line;
    std::getline(stat, line);
    const size_t close = line.rfind(')');
    if (close != std::string::npos) {
      char state = 0;
      int ppid = 0;
      if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && std::to_string(ppid) == self &&
          state != 'Z') {
        ++s.children;
      }
    }
    for_each_number_entry("/proc/" + pid + "/task", [&](const std::string& tid) {
      std::ifstream comm("/proc/" + pid + "/task/" + tid + "/comm");
      std::string name;
      std::getline(comm, name);
      if (name.rfind("kvm-nx-lpage", 0) == 0) ++s.kvm_threads;
    });
  });
}

}  // namespace

HostSnapshot take_snapshot() {
  HostSnapshot s;
  s.self = read_proc_counters();
  count_processes(s);
  s.namespaces = 0;
  if (DIR* d = ::opendir("/run/netns")) {
    while (dirent* e = ::readdir(d)) s.namespaces += std::strncmp(e->d_name, "vmmcs-", 6) == 0;
    ::closedir(d);
  }
  std::ifstream dev("/proc/net/dev");
  std::string line;
  s.net_devices = -2;  // two header lines
  while (std::getline(dev, line)) ++s.net_devices;
  s.mem_available_kib = meminfo("MemAvailable:");
  s.slab_kib = meminfo("Slab:");
  return s;
}

bool report_leaks(const std::vector<HostSnapshot>& snaps, Report& r) {
  r.section("leak check (after each teardown vs. after the first)");
  struct Counter {
    const char* key;
    const char* label;
    int64_t (*get)(const HostSnapshot&);
  };
  static const Counter counters[] = {
      {"fds", "harness fds", [](const HostSnapshot& s) { return s.self.fds; }},
      {"vmas", "harness mappings (VMAs)", [](const HostSnapshot& s) { return s.self.vmas; }},
      {"threads", "harness threads", [](const HostSnapshot& s) { return s.self.threads; }},
      {"children", "child processes alive", [](const HostSnapshot& s) { return s.children; }},
      {"namespaces", "vmmcs-* network namespaces", [](const HostSnapshot& s) { return s.namespaces; }},
      {"net_devices", "network devices (harness namespace)", [](const HostSnapshot& s) { return s.net_devices; }},
      {"kvm_threads", "KVM per-VM threads host-wide", [](const HostSnapshot& s) { return s.kvm_threads; }},
  };
  bool clean = true;
  for (const Counter& c : counters) {
    std::string row;
    for (const HostSnapshot& s : snaps) row += fmt::format("{:>7}", c.get(s));
    // snaps[0] is before the first run; snaps[1] after the first teardown.
    bool same = true;
    for (size_t i = 2; i < snaps.size(); ++i) same = same && c.get(snaps[i]) == c.get(snaps[1]);
    same = same && (snaps.size() < 2 || c.get(snaps[1]) <= c.get(snaps[0]) || std::strcmp(c.key, "vmas") == 0);
    clean = clean && same;
    r.add_text(c.key, fmt::format("{} {}", row, same ? "ok" : "CHANGED"), c.label);
  }
  std::string mem, slab;
  for (const HostSnapshot& s : snaps) {
    mem += fmt::format("{:>9}", s.mem_available_kib / 1024);
    slab += fmt::format("{:>9}", s.slab_kib / 1024);
  }
  r.add_text("mem_available_mib", mem, "MemAvailable (MiB, informational)");
  r.add_text("slab_mib", slab, "Slab (MiB, informational)");
  if (snaps.size() >= 3) {
    const double drift = static_cast<double>(snaps[1].mem_available_kib - snaps.back().mem_available_kib) / 1024.0;
    r.add("mem_drift_mib", drift, "MiB", "MemAvailable lost between first and last teardown", 1);
  }
  r.add_text("verdict", clean ? "nothing left behind" : "LEAK: a counter changed", "verdict");
  return clean;
}

}  // namespace coldstart
