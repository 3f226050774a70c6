// libvmm in-process, the harness's side: the pool of worker processes (spawned by
// re-executing this binary with --worker, placed in the VMM memory cgroup, spoken to with
// protocol.h) and the launcher that starts each instance in one of them.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "cgroup.h"
#include "launcher.h"
#include "process.h"
#include "protocol.h"
#include "vmm/result.h"

namespace coldstart {

struct WorkerReport {
  std::vector<InfoMsg> instances;
  ProcCounters process;
};

class WorkerPool {
 public:
  // Spawns `count` workers, moves each into `cgroup` (may be null) before it opens
  // anything, sends `config` and waits for every Ready. Errors quote the worker's message.
  static vmm::Result<std::unique_ptr<WorkerPool>> spawn(uint32_t count, const ConfigMsg& config, MemoryCgroup* cgroup);
  // shutdown(), if not done.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t size() const { return workers_.size(); }
  pid_t pid(size_t w) const { return workers_[w].child.pid(); }
  int socket(size_t w) const { return workers_[w].channel.fd(); }
  ProcCounters ready_counters(size_t w) const { return workers_[w].at_ready; }
  // Why the workers do not count each start's system calls; empty when they do.
  const std::string& syscalls_unavailable() const { return syscalls_unavailable_; }

  // Asks worker w to start an instance on `tap_fd` (passed, not consumed).
  vmm::Result<void> send_start(size_t w, const StartMsg& start, int tap_fd);
  // Reads the Started reply (call when socket(w) is readable).
  vmm::Result<StartedMsg> read_started(size_t w);
  // Every instance's state and the worker's process counters.
  vmm::Result<WorkerReport> query(size_t w);
  // Quit to every worker; waits up to grace_ms for them all, then SIGKILLs the rest.
  void shutdown(int grace_ms);

 private:
  struct Worker {
    Child child;
    Channel channel;
    ProcCounters at_ready;
  };
  WorkerPool() = default;
  std::vector<Worker> workers_;
  std::string syscalls_unavailable_;
};

// libvmm in-process: instances run inside worker processes (worker.h), up to K each. With
// Placement::Fill instance i goes to worker i / K, so consecutive starts run in the same,
// warm process; with Placement::Spread to worker i % W, so all workers grow evenly (and
// each start wakes a different, cache-cold process). The harness hands each instance its
// tap fd (SCM_RIGHTS), the way a platform that creates taps ahead would, so the SYN issued
// at the start call already waits in the tap. Instances keep running after their
// measurement.
enum class Placement { Fill, Spread };

class InprocLauncher final : public Launcher {
 public:
  // `per_worker`: instances per worker with Placement::Fill.
  InprocLauncher(std::unique_ptr<WorkerPool> pool, Placement placement, uint32_t per_worker)
      : pool_(std::move(pool)), placement_(placement), per_worker_(per_worker), slots_(pool_->size(), 0) {}

  std::string describe() const override;
  vmm::Result<void> begin(InstanceSpec spec) override;
  std::vector<int> watch_fds() const override { return {pool_->socket(worker_)}; }
  void on_ready(int fd, int64_t now) override;
  bool tap_ready() const override { return true; }
  bool settled() const override { return replied_; }
  std::optional<std::string> failure() const override { return failure_; }
  VmmTimes finish() override;

  WorkerPool& pool() { return *pool_; }

 private:
  std::unique_ptr<WorkerPool> pool_;
  Placement placement_;
  uint32_t per_worker_;
  std::vector<int> slots_;  // instances started per worker
  size_t worker_ = 0;
  bool replied_ = false;
  std::optional<std::string> failure_;
  VmmTimes times_;
};

}  // namespace coldstart
