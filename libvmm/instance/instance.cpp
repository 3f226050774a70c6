// vmm::Instance: configuration checks, lifecycle and accessors.
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/clock.h"
#include "instance/instance_impl.h"
#include "instance/kick.h"
#include "loader/image_internals.h"

namespace vmm {
namespace {

std::string random_uuid() {
  uint8_t b[16] = {};
  if (::getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b)) {
    uint64_t t = static_cast<uint64_t>(monotonic_ns()) ^ read_tsc();
    std::memcpy(b, &t, 8);
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                     b[15]);
}

}  // namespace

const char* to_string(ExitReason reason) {
  switch (reason) {
    case ExitReason::GuestExit: return "exited";
    case ExitReason::Crash: return "crashed";
    case ExitReason::Reset: return "reset";
    case ExitReason::PowerOff: return "powered off";
    case ExitReason::Timeout: return "timed out";
    case ExitReason::Stopped: return "stopped";
    case ExitReason::Killed: return "killed";
    case ExitReason::VmmError: return "VMM error";
  }
  return "?";
}

Instance::Instance(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Instance>> Instance::create(InstanceConfig config) {
  if (!config.kvm) return Error("instance configuration: no Kvm (call vmm::Kvm::open() and pass it)");
  if (!config.image) return Error("instance configuration: no image");
  if (config.vcpus == 0) return Error("instance configuration: at least one vCPU is needed");
  if (config.vcpus > static_cast<uint32_t>(std::max(config.kvm->caps().max_vcpus, 1))) {
    return Error(fmt::format("instance configuration: {} vCPUs requested, KVM allows {}", config.vcpus,
                             config.kvm->caps().max_vcpus));
  }
  const size_t max_cmdline = config.image->internals().driver->max_cmdline();
  if (config.cmdline.size() > max_cmdline) {
    return Error(fmt::format("instance configuration: command line is {} bytes, the {} protocol carries at most {}",
                             config.cmdline.size(), to_string(config.image->protocol()), max_cmdline));
  }
  auto impl = std::make_unique<Impl>();
  impl->kick_signal = VMM_TRY(prepare_kick_signal(config.kick_signal));
  if (config.name.empty()) config.name = config.image->name();
  impl->layout = {config.memory_bytes, config.vcpus};
  impl->console_budget.store(static_cast<int64_t>(std::min<uint64_t>(config.console_limit, INT64_MAX)));
  impl->uuid = random_uuid();
  impl->config = std::move(config);
  return std::unique_ptr<Instance>(new Instance(std::move(impl)));
}

Instance::~Instance() {
  kill();
  std::vector<pthread_t> threads;
  {
    std::unique_lock lock(impl_->mutex);
    for (auto& s : impl_->vcpus) {
      if (s->has_thread) {
        if (pthread_equal(s->thread, pthread_self())) std::abort();  // destroyed from its own callback
        threads.push_back(s->thread);
        s->has_thread = false;
      }
    }
  }
  for (pthread_t t : threads) pthread_join(t, nullptr);
  std::lock_guard lock(impl_->mutex);
  if (impl_->timer) timer_delete(*impl_->timer);
}

Result<void> Instance::Impl::prepare() {
  Impl& d = *this;
  {
    std::lock_guard lock(d.mutex);
    if (d.state != State::Created) return Error(fmt::format("instance {}: already started", d.config.name));
    d.state = State::Starting;
  }
  d.times.start_called.store(monotonic_ns());
  if (d.config.timeout.count() > 0) d.timeout_deadline.store(monotonic_ns() + d.config.timeout.count());
  auto built = d.build_vm();
  if (!built) {
    std::lock_guard lock(d.mutex);
    d.state = State::Exited;
    d.exit_info = ExitInfo{ExitReason::VmmError, 0, built.error().message(), {}};
    d.exiting.store(true);
    d.exited_cv.notify_all();
    return std::move(built).error().with_context(fmt::format("starting instance {}", d.config.name));
  }
  std::lock_guard lock(d.mutex);
  d.state = State::Running;
  return {};
}

Result<void> Instance::start() {
  VMM_TRY(impl_->prepare());
  auto spawned = impl_->spawn_secondary_threads();
  if (spawned) spawned = impl_->spawn_vcpu_thread(*impl_->vcpus[0]);
  if (!spawned) {
    std::lock_guard lock(impl_->mutex);
    impl_->state = State::Exited;
    impl_->exit_info = ExitInfo{ExitReason::VmmError, 0, spawned.error().message(), {}};
    impl_->exiting.store(true);
    impl_->exited_cv.notify_all();
    return std::move(spawned).error();
  }
  return {};
}

Result<ExitInfo> Instance::run() {
  VMM_TRY(impl_->prepare());
  Impl& d = *impl_;
  if (auto spawned = d.spawn_secondary_threads(); !spawned) {
    d.finish({ExitReason::VmmError, 0, spawned.error().message(), {}});
    return std::move(spawned).error();
  }
  VcpuSlot& boot = *d.vcpus[0];
  {
    std::lock_guard lock(d.mutex);
    boot.running = true;
    ++d.threads_running;
  }
  sigset_t saved;
  pthread_sigmask(SIG_SETMASK, nullptr, &saved);
  d.enter_vcpu_thread(boot);
  d.vcpu_loop(boot);
  d.vcpu_loop_done(boot);
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  return wait();
}

Result<void> Instance::Impl::spawn_secondary_threads() {
  if (!driver->starts_all_vcpus()) return {};
  for (size_t i = 1; i < vcpus.size(); ++i) VMM_TRY(spawn_vcpu_thread(*vcpus[i]));
  return {};
}

ExitInfo Instance::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->exited_cv.wait(lock, [&] { return impl_->state == State::Exited; });
  return *impl_->exit_info;
}

std::optional<ExitInfo> Instance::wait_for(std::chrono::nanoseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  if (!impl_->exited_cv.wait_for(lock, timeout, [&] { return impl_->state == State::Exited; })) return std::nullopt;
  return *impl_->exit_info;
}

void Instance::stop(std::chrono::nanoseconds grace) {
  Impl& d = *impl_;
  d.stop_requested.store(true);
  std::lock_guard lock(d.mutex);
  if (d.state == State::Exited || d.exit_info) return;
  int64_t deadline = monotonic_ns() + std::max<int64_t>(grace.count(), 0);
  int64_t current = d.stop_deadline.load();
  if (current == 0 || deadline < current) d.stop_deadline.store(deadline);
  d.arm_timer_locked();
  d.kick_all_locked();  // wake a vCPU blocked in wait: it reports STOP_REQUESTED
}

void Instance::kill() {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mutex);
    if (d.state == State::Created) {
      d.state = State::Exited;
      d.exit_info = ExitInfo{ExitReason::Killed, 0, "killed before start", {}};
      d.exited_cv.notify_all();
      return;
    }
  }
  d.finish({ExitReason::Killed, 0, "killed", {}});
}

void Instance::request_kill() noexcept {
  Impl& d = *impl_;
  d.kill_requested.store(true);
  if (!d.vcpus_published.load(std::memory_order_acquire)) return;  // checked before the first run
  for (auto& s : d.vcpus) {
    s->vcpu.kick_prepare();
    // No lock in a signal handler: `kickable` may be stale, but `thread` stays a valid id
    // until joined, and a kick to a thread that has left its loop is harmless.
    if (s->kickable.load(std::memory_order_acquire)) pthread_kill(s->thread, d.kick_signal);
  }
}

Instance::State Instance::state() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state;
}

const std::string& Instance::name() const { return impl_->config.name; }
const std::string& Instance::uuid() const { return impl_->uuid; }
const InstanceConfig& Instance::config() const { return impl_->config; }

BootTimes Instance::times() const {
  const AtomicTimes& t = impl_->times;
  return {t.start_called.load(), t.vm_created.load(),  t.memory_ready.load(), t.vcpus_created.load(),
          t.vcpus_ready.load(),  t.first_entry.load(), t.boot_ready.load(),  t.exited.load()};
}

InstanceStats Instance::stats() const {
  const AtomicStats& s = impl_->stats;
  return {s.exits.load(),       s.exits_io.load(),      s.exits_mmio.load(),    s.exits_interrupted.load(),
          s.exits_other.load(), s.hypercalls.load(),    s.hypercalls_rejected.load(), s.console_bytes.load(),
          s.console_dropped.load(), s.waits.load(),     s.wait_blocked_ns.load(), s.exits_at_boot_ready.load()};
}

std::vector<DeviceStats> Instance::device_stats() const { return impl_->collect_device_stats(); }

Result<uint64_t> Instance::resident_guest_pages() const {
  if (impl_->ram.size() == 0) return Error("instance has no guest RAM (not started)");
  return impl_->ram.resident_pages();
}

}  // namespace vmm
