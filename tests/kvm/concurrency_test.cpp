// Many instances in one process, concurrently and in long sequences, without leaks;
// fork-safety of what libvmm opens.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>

#include <cstring>
#include <set>

#include "guest_runner.h"
#include "tier.h"

using namespace vmm;
using namespace vmm::test;

// clang reports ASan through __has_feature, gcc through __SANITIZE_ADDRESS__.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VMM_CLANG_ASAN 1
#endif
#endif
#ifndef VMM_CLANG_ASAN
#define VMM_CLANG_ASAN 0
#endif


TEST_CASE("100 hello instances (20 in the TCG tier) run concurrently in one process") {
  const int kCount = tier_count(100, 20);
  std::vector<GuestRun> runs;
  for (int i = 0; i < kCount; ++i) runs.push_back(make_guest("hello.elf", "-- exit=" + std::to_string(i % 100)));
  for (auto& r : runs) REQUIRE(r.instance->start());
  for (int i = 0; i < kCount; ++i) {
    auto exit = runs[static_cast<size_t>(i)].instance->wait();
    CHECK(exit.reason == ExitReason::GuestExit);
    CHECK(exit.status == i % 100);
    CHECK(runs[static_cast<size_t>(i)].console->text().rfind("Hello from hello", 0) == 0);
  }
}

TEST_CASE("1000 create/boot/destroy cycles (100 in the TCG tier) leave fds, threads, mappings and memory flat") {
  auto cycle = [] {
    GuestRun g = make_guest("hello.elf");
    REQUIRE(g.instance->start());
    REQUIRE(g.instance->wait().reason == ExitReason::GuestExit);
  };
  for (int i = 0; i < tier_count(50, 10); ++i) cycle();  // warm caches (image template, allocator)
  ProcessCounts before = process_counts();
  for (int i = 0; i < tier_count(1000, 100); ++i) cycle();
  ProcessCounts after = process_counts();
  CHECK(after.fds == before.fds);
  CHECK(after.threads == before.threads);
#if defined(__SANITIZE_ADDRESS__) || VMM_CLANG_ASAN
  // ASan's quarantine and allocator grow RSS and mappings by design; LeakSanitizer checks
  // for leaks in that build instead.
#else
  CHECK(after.mappings == before.mappings);
  INFO("RSS before " << before.rss_kib << " KiB, after " << after.rss_kib << " KiB");
  CHECK(after.rss_kib <= before.rss_kib + 2048);
#endif
}

TEST_CASE("A running one-vCPU instance costs at most 5 mappings (VMAs)") {
  // Budget (docs/architecture.md): guest RAM 2 (template copy-on-write + anonymous rest),
  // kvm_run 1, the vCPU thread's stack and guard page 2. Besides, glibc gives threads
  // malloc arenas shared by the whole process: at most 8 per core, 2 mappings each.
  constexpr int kCount = 60;
  const size_t arenas = 2 * 8 * std::thread::hardware_concurrency();
  { GuestRun warm = make_guest("waiter.elf"); }  // image template built outside the count
  const size_t before = process_counts().mappings;
  std::vector<GuestRun> runs;
  for (int i = 0; i < kCount; ++i) {
    runs.push_back(make_guest("waiter.elf"));
    REQUIRE(runs.back().instance->start());
  }
  for (auto& r : runs) {
    while (r.instance->times().boot_ready == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const size_t during = process_counts().mappings;
  INFO("mappings before " << before << ", with " << kCount << " instances " << during);
  CHECK(during - before <= 5 * kCount + arenas);
  for (auto& r : runs) r.instance->kill();
}

namespace {
std::set<int> open_fds() {
  std::set<int> fds;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.' && std::atoi(e->d_name) != dirfd(d)) fds.insert(std::atoi(e->d_name));
    }
    closedir(d);
  }
  return fds;
}
}  // namespace

TEST_CASE("Every descriptor libvmm opens is close-on-exec, and guest RAM is not inherited") {
  // Descriptors inherited from whoever started the test are not libvmm's.
  const std::set<int> inherited = open_fds();
  GuestRun g = make_guest("waiter.elf");
  REQUIRE(g.instance->start());
  while (g.instance->times().boot_ready == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::set<int> ours = {g.instance->config().kvm->fd()};
  for (int fd : open_fds()) {
    if (!inherited.count(fd)) ours.insert(fd);
  }
  CHECK(ours.size() >= 3);  // /dev/kvm, the VM, the vCPU
  std::string offenders;
  for (int fd : ours) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) offenders += " " + std::to_string(fd);
  }
  INFO("descriptors without FD_CLOEXEC:" << offenders);
  CHECK(offenders.empty());
  // A child forked now has no guest RAM mapped (MADV_DONTFORK): it can read its own maps.
  int pipefd[2];
  REQUIRE(pipe2(pipefd, O_CLOEXEC) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    FILE* maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (maps && fgets(line, sizeof line, maps)) found += strstr(line, "vmm-lean-template") != nullptr;
    (void)!write(pipefd[1], &found, sizeof found);
    _exit(0);
  }
  int child_found = -1;
  REQUIRE(read(pipefd[0], &child_found, sizeof child_found) == sizeof child_found);
  waitpid(pid, nullptr, 0);
  close(pipefd[0]);
  close(pipefd[1]);
  CHECK(child_found == 0);
  g.instance->kill();
  g.instance->wait();
}
