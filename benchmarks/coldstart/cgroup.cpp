#include "cgroup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "host.h"

namespace coldstart {
namespace {

struct Location {
  std::string dir;   // where the groups are created
  std::string home;  // the caller's own cgroup directory (processes return there)
  int version = 0;
};

// Where this process's memory cgroup lives: a v1 hierarchy with the memory controller, or
// the v2 unified hierarchy if it offers memory to children.
vmm::Result<Location> find_memory_cgroup() {
  std::ifstream cg("/proc/self/cgroup");
  std::string line, v2_path;
  while (std::getline(cg, line)) {
    const size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    std::stringstream list(controllers);
    std::string c;
    while (std::getline(list, c, ',')) {
      if (c == "memory") return Location{"/sys/fs/cgroup/memory" + path, "/sys/fs/cgroup/memory" + path, 1};
    }
    if (line.rfind("0::", 0) == 0) v2_path = path;
  }
  // v2: the unified mount may be /sys/fs/cgroup or /sys/fs/cgroup/unified. Our own cgroup
  // can delegate memory only if it holds no processes, so fall back to the root's children.
  for (const char* mount : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    const std::string own = std::string(mount) + (v2_path == "/" ? "" : v2_path);
    for (const std::string& dir : {own, std::string(mount)}) {
      auto sub = read_text(dir + "/cgroup.subtree_control");
      if (sub && sub->find("memory") != std::string::npos) return Location{dir, own, 2};
    }
  }
  return vmm::Error(
      "no memory cgroup available (no v1 memory hierarchy, and the v2 cgroup does not delegate the memory "
      "controller to children)");
}

int64_t stat_field(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  std::string k;
  int64_t v;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return -1;
}

}  // namespace

vmm::Result<std::unique_ptr<MemoryCgroup>> MemoryCgroup::create(const std::string& name) {
  Location where = VMM_TRY(find_memory_cgroup());
  for (const auto& stale : stale_harness_entries(where.dir)) ::rmdir((where.dir + "/" + stale).c_str());
  const std::string path = where.dir + "/" + name;
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return vmm::Error::from_errno(fmt::format("creating memory cgroup {}", path));
  }
  std::unique_ptr<MemoryCgroup> group(new MemoryCgroup(path, where.home, where.version));
  if (where.version == 1) {
    // Deprecated but present on v1 kernels: charges follow a process moved in.
    (void)write_text(path + "/memory.move_charge_at_immigrate", "3");
  }
  return group;
}

vmm::Result<void> MemoryCgroup::add(pid_t pid) {
  return write_text(path_ + "/cgroup.procs", std::to_string(pid == 0 ? ::getpid() : pid))
      .with_context(fmt::format("moving process {} into {}", pid, path_));
}

MemoryUsage MemoryCgroup::usage() const {
  MemoryUsage u;
  if (version_ == 1) {
    u.total_bytes = read_int(path_ + "/memory.usage_in_bytes").value_or(-1);
    u.kernel_bytes = read_int(path_ + "/memory.kmem.usage_in_bytes").value_or(-1);
  } else {
    u.total_bytes = read_int(path_ + "/memory.current").value_or(-1);
    u.kernel_bytes = stat_field(path_ + "/memory.stat", "kernel");
  }
  return u;
}

MemoryCgroup::~MemoryCgroup() {
  std::ifstream procs(path_ + "/cgroup.procs");
  pid_t pid;
  while (procs >> pid) (void)write_text(home_ + "/cgroup.procs", std::to_string(pid));
  // Charges left by exited processes are moved to the parent by the kernel on rmdir.
  if (::rmdir(path_.c_str()) != 0 && errno != ENOENT) {
    fmt::print(stderr, "warning: removing cgroup {}: {}\n", path_, std::strerror(errno));
  }
}

}  // namespace coldstart
