#include "inproc.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "host.h"

namespace coldstart {
namespace {

constexpr int kWorkerFd = 3;

vmm::Result<Message> expect(Channel& channel, MsgType type, size_t w) {
  auto msg = VMM_TRY_CTX(channel.recv(), fmt::format("worker {}", w));
  if (msg.type != type) {
    return vmm::Error(fmt::format("worker {}: expected message {}, got {}", w, static_cast<uint32_t>(type),
                                  static_cast<uint32_t>(msg.type)));
  }
  return msg;
}

}  // namespace

vmm::Result<std::unique_ptr<WorkerPool>> WorkerPool::spawn(uint32_t count, const ConfigMsg& config,
                                                           MemoryCgroup* cgroup) {
  std::unique_ptr<WorkerPool> pool(new WorkerPool());
  const std::string self = "/proc/self/exe";
  for (uint32_t w = 0; w < count; ++w) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
      return vmm::Error::from_errno("socketpair for a worker");
    }
    vmm::UniqueFd ours(pair[0]), theirs(pair[1]);
    SpawnOptions options;
    options.pass_fds = {{kWorkerFd, theirs.get()}};
    auto child = VMM_TRY_CTX(spawn_child({self, "--worker", std::to_string(kWorkerFd)}, options),
                             fmt::format("starting worker {}", w));
    if (cgroup != nullptr) VMM_TRY(cgroup->add(child.pid()));
    pool->workers_.push_back({std::move(child), Channel(std::move(ours)), {}});
  }
  // Configure all, then collect the Ready replies: the workers load the image in parallel.
  Encoder e;
  config.encode(e);
  for (size_t w = 0; w < count; ++w) VMM_TRY_CTX(pool->workers_[w].channel.send(MsgType::Config, e), fmt::format("worker {}", w));
  for (size_t w = 0; w < count; ++w) {
    auto msg = VMM_TRY(expect(pool->workers_[w].channel, MsgType::Ready, w));
    ReadyMsg ready;
    if (!ready.decode(Decoder(msg.payload))) return vmm::Error(fmt::format("worker {}: malformed Ready", w));
    if (!ready.error.empty()) return vmm::Error(fmt::format("worker {}: {}", w, ready.error));
    if (pool->syscalls_unavailable_.empty()) pool->syscalls_unavailable_ = ready.syscalls_unavailable;
    pool->workers_[w].at_ready = read_proc_counters(pool->pid(w));
  }
  return pool;
}

vmm::Result<void> WorkerPool::send_start(size_t w, const StartMsg& start, int tap_fd) {
  Encoder e;
  start.encode(e);
  return workers_[w].channel.send(MsgType::Start, e, tap_fd).with_context(fmt::format("worker {}", w));
}

vmm::Result<StartedMsg> WorkerPool::read_started(size_t w) {
  auto msg = VMM_TRY(expect(workers_[w].channel, MsgType::Started, w));
  StartedMsg started;
  if (!started.decode(Decoder(msg.payload))) return vmm::Error(fmt::format("worker {}: malformed Started", w));
  return started;
}

vmm::Result<WorkerReport> WorkerPool::query(size_t w) {
  Channel& channel = workers_[w].channel;
  VMM_TRY_CTX(channel.send(MsgType::Query, Encoder()), fmt::format("worker {}", w));
  WorkerReport report;
  for (;;) {
    auto msg = VMM_TRY_CTX(channel.recv(), fmt::format("worker {}", w));
    if (msg.type == MsgType::QueryEnd) {
      QueryEndMsg end;
      if (!end.decode(Decoder(msg.payload))) return vmm::Error(fmt::format("worker {}: malformed QueryEnd", w));
      report.process = end.process;
      return report;
    }
    InfoMsg info;
    if (msg.type != MsgType::Info || !info.decode(Decoder(msg.payload))) {
      return vmm::Error(fmt::format("worker {}: malformed Info", w));
    }
    report.instances.push_back(std::move(info));
  }
}

void WorkerPool::shutdown(int grace_ms) {
  // In waves of kShutdownWave workers: two cores shared with other work need not see a
  // hundred processes tearing down at once; each wave's workers still work in parallel.
  constexpr size_t kShutdownWave = 8;
  const int64_t deadline = now_ns() + int64_t{grace_ms} * 1'000'000;
  for (size_t first = 0; first < workers_.size(); first += kShutdownWave) {
    const size_t end = std::min(workers_.size(), first + kShutdownWave);
    for (size_t w = first; w < end; ++w) {
      if (workers_[w].child.running()) (void)workers_[w].channel.send(MsgType::Quit, Encoder());
    }
    for (size_t w = first; w < end; ++w) {
      const int64_t left_ms = std::max<int64_t>(0, (deadline - now_ns()) / 1'000'000);
      const pid_t pid = workers_[w].child.pid();
      const int status = workers_[w].child.stop(0, static_cast<int>(left_ms));  // signal 0: just wait
      if (status >= 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        fmt::print(stderr, "warning: worker {} ended with {}\n", pid, describe_wait_status(status));
      }
    }
  }
  workers_.clear();
}

WorkerPool::~WorkerPool() { shutdown(10'000); }

std::string InprocLauncher::describe() const {
  return fmt::format("libvmm in-process: {} worker process(es), {}", pool_->size(),
                     placement_ == Placement::Spread ? "instances spread round-robin"
                                                     : fmt::format("each filled with {} instances in turn", per_worker_));
}

vmm::Result<void> InprocLauncher::begin(InstanceSpec spec) {
  worker_ = placement_ == Placement::Spread ? spec.index % pool_->size()
                                            : std::min<size_t>(spec.index / per_worker_, pool_->size() - 1);
  replied_ = false;
  failure_.reset();
  times_ = VmmTimes{};
  times_.worker = static_cast<int>(worker_);
  times_.slot = slots_[worker_]++;
  StartMsg start{spec.index, spec.cmdline, spec.mac};
  // The fd is duplicated into the message; ours closes when `spec` goes out of scope, so
  // from here on the worker's instance is the tap's only holder.
  return pool_->send_start(worker_, start, spec.tap_fd.get());
}

void InprocLauncher::on_ready(int, int64_t) {
  auto started = pool_->read_started(worker_);
  replied_ = true;
  if (!started) {
    failure_ = started.error().message();
    return;
  }
  if (!started->error.empty()) {
    failure_ = started->error;
    return;
  }
  const vmm::BootTimes& t = started->times;
  times_.vmm_start_ns = t.start_called;
  times_.vm_created_ns = t.vm_created;
  times_.vm_ready_ns = t.vcpus_ready;
  times_.first_entry_ns = t.first_entry;
  times_.boot_ready_ns = t.boot_ready;
}

VmmTimes InprocLauncher::finish() { return times_; }

}  // namespace coldstart
