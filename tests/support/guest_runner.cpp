#include "guest_runner.h"

#include <dirent.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>

#include "kvm_skip.h"
#include "vmm/image.h"

namespace vmm::test {

GuestRun make_guest(const std::string& image, const std::string& cmdline, uint64_t memory, uint32_t vcpus) {
  static std::mutex cache_mutex;
  static std::map<std::string, std::shared_ptr<const Image>> cache;  // images are shared, like in production
  std::shared_ptr<const Image> img;
  {
    std::lock_guard lock(cache_mutex);
    auto& slot = cache[image];
    if (!slot) {
      auto opened = Image::open(guest_path(image));
      if (!opened) FAIL(opened.error().message());
      slot = *opened;
    }
    img = slot;
  }
  GuestRun run;
  InstanceConfig config;
  config.kvm = kvm_or_skip();
  config.image = img;
  config.cmdline = cmdline;
  config.memory_bytes = memory;
  config.vcpus = vcpus;
  config.console = [c = run.console](std::string_view s) { c->append(s); };
  auto instance = Instance::create(std::move(config));
  if (!instance) FAIL(instance.error().message());
  run.instance = std::move(*instance);
  return run;
}

Finished run_guest(const std::string& image, const std::string& cmdline, uint64_t memory, uint32_t vcpus) {
  GuestRun g = make_guest(image, cmdline, memory, vcpus);
  auto exit = g.instance->run();
  if (!exit) FAIL(exit.error().message());
  return {*exit, g.console->text(), g.instance->stats(), g.instance->times()};
}

namespace {
size_t count_dir(const char* path) {
  size_t n = 0;
  if (DIR* d = opendir(path)) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}
}  // namespace

ProcessCounts process_counts() {
  ProcessCounts c;
  c.fds = count_dir("/proc/self/fd");
  c.threads = count_dir("/proc/self/task");
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) ++c.mappings;
  std::ifstream status("/proc/self/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) c.rss_kib = std::stoul(line.substr(6));
  }
  return c;
}

}  // namespace vmm::test
