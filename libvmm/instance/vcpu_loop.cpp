// The vCPU loop: KVM_RUN, then dispatch of each exit to hypercalls, devices or the
// instance's end. Runs on a libvmm thread (or the embedder's thread for run()).
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/clock.h"
#include "instance/exit_report.h"
#include "instance/instance_impl.h"
#include "instance/kick.h"
#include "instance/lean_hypercalls.h"

namespace vmm {
namespace {

// Port I/O no device claims: reads float high (all ones), writes are dropped.
void unclaimed_io(const VcpuExit::IoAccess& io) {
  if (!io.is_write) std::fill(io.data.begin(), io.data.end(), uint8_t{0xff});
}

}  // namespace

void Instance::Impl::vcpu_loop(VcpuSlot& slot) {
  Vcpu& vcpu = slot.vcpu;
  const bool lean = config.image->protocol() == BootProtocol::Lean;
  if (vcpu.id() == 0) times.first_entry.store(monotonic_ns());
  while (!exiting.load(std::memory_order_acquire)) {
    if (kill_requested.load(std::memory_order_relaxed) && check_deadlines()) break;
    auto result = vcpu.run();
    stats.exits.fetch_add(1, std::memory_order_relaxed);
    if (!result) {
      finish({ExitReason::VmmError, 0, result.error().message(), {}});
      break;
    }
    const VcpuExit& exit = *result;
    switch (exit.kind) {
      case VcpuExit::Kind::Io: {
        stats.exits_io.fetch_add(1, std::memory_order_relaxed);
        if (lean && handle_lean_hypercall(*this, slot, exit.io)) break;
        uint16_t offset = 0;
        if (PioDevice* dev = devices.find_pio(exit.io.port, &offset); dev && exit.io.count == 1) {
          if (exit.io.is_write) dev->pio_write(offset, exit.io.data);
          else dev->pio_read(offset, exit.io.data);
        } else {
          unclaimed_io(exit.io);
        }
        break;
      }
      case VcpuExit::Kind::Mmio: {
        stats.exits_mmio.fetch_add(1, std::memory_order_relaxed);
        uint64_t offset = 0;
        if (MmioDevice* dev = devices.find_mmio(exit.mmio.gpa, &offset)) {
          if (exit.mmio.is_write) dev->mmio_write(offset, exit.mmio.data);
          else dev->mmio_read(offset, exit.mmio.data);
        } else if (memory.contains(exit.mmio.gpa, 1)) {
          // A write to RAM that exits as MMIO hit a read-only slot: a guest fault.
          finish(crash_report(fmt::format("guest wrote to read-only memory at {:#x}", exit.mmio.gpa),
                              vcpu.dump_registers()));
        } else if (!exit.mmio.is_write) {
          std::fill(exit.mmio.data.begin(), exit.mmio.data.end(), uint8_t{0xff});
        }
        break;
      }
      case VcpuExit::Kind::Interrupted:
        stats.exits_interrupted.fetch_add(1, std::memory_order_relaxed);
        consume_kick(slot);
        check_deadlines();
        break;
      case VcpuExit::Kind::Hlt:
        stats.exits_other.fetch_add(1, std::memory_order_relaxed);
        finish({ExitReason::PowerOff, 0, "guest halted with no interrupt source (HLT)", {}});
        break;
      case VcpuExit::Kind::SystemEvent:
        stats.exits_other.fetch_add(1, std::memory_order_relaxed);
        finish(system_event_report(exit.system_event_type));
        break;
      default:
        stats.exits_other.fetch_add(1, std::memory_order_relaxed);
        finish(crash_report(exit.describe(), exit.regs.valid ? exit.regs : vcpu.dump_registers()));
        break;
    }
  }
}

void Instance::Impl::consume_kick(VcpuSlot& slot) {
  slot.vcpu.kick_clear();
  // KVM_RUN returned EINTR for the kick but restored our mask, in which the kick signal is
  // blocked: it is still pending and would end every later KVM_RUN at once. Take it.
  sigset_t kick;
  sigemptyset(&kick);
  sigaddset(&kick, kick_signal);
  const timespec zero{0, 0};
  while (sigtimedwait(&kick, nullptr, &zero) == kick_signal) {
  }
}

bool Instance::Impl::check_deadlines() {
  if (kill_requested.load()) {
    finish({ExitReason::Killed, 0, "killed", {}});
    return true;
  }
  const int64_t now = monotonic_ns();
  const int64_t timeout = timeout_deadline.load();
  const int64_t stop = stop_deadline.load();
  if (timeout != 0 && now >= timeout) {
    finish({ExitReason::Timeout, 0,
            fmt::format("timeout after {} ms", std::chrono::duration_cast<std::chrono::milliseconds>(config.timeout).count()),
            {}});
    return true;
  }
  if (stop != 0 && now >= stop) {
    finish({ExitReason::Stopped, 0, "stopped: the guest did not exit within the grace period", {}});
    return true;
  }
  return exiting.load();
}

void Instance::Impl::finish(ExitInfo info) {
  std::lock_guard lock(mutex);
  if (exit_info) return;  // the first decision stands
  times.exited.store(monotonic_ns());
  exit_info = std::move(info);
  exiting.store(true, std::memory_order_release);
  kick_all_locked();
}

void Instance::Impl::kick_all_locked() {
  const pthread_t self = pthread_self();
  for (auto& s : vcpus) {
    s->vcpu.kick_prepare();
    // A vCPU deciding the exit itself sees it before its next KVM_RUN: no signal needed.
    if (s->running && !pthread_equal(s->thread, self)) pthread_kill(s->thread, kick_signal);
  }
}

void Instance::Impl::arm_timer_locked() {
  int64_t deadline = 0;
  for (int64_t d : {timeout_deadline.load(), stop_deadline.load()}) {
    if (d != 0 && (deadline == 0 || d < deadline)) deadline = d;
  }
  if (deadline == 0 || vcpus.empty() || vcpus[0]->tid == 0) return;
  if (!timer) {
    sigevent ev{};
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = kick_signal;
    ev._sigev_un._tid = vcpus[0]->tid;
    timer_t t;
    if (timer_create(CLOCK_MONOTONIC, &ev, &t) < 0) return;  // deadlines then apply at the next exit
    timer = t;
  }
  itimerspec spec{};
  spec.it_value.tv_sec = deadline / 1'000'000'000;
  spec.it_value.tv_nsec = deadline % 1'000'000'000;
  timer_settime(*timer, TIMER_ABSTIME, &spec, nullptr);
}

namespace {
struct ThreadStart {
  Instance::Impl* impl;
  VcpuSlot* slot;
};
}  // namespace

Result<void> Instance::Impl::spawn_vcpu_thread(VcpuSlot& slot) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, std::max<size_t>(config.vcpu_stack_size, PTHREAD_STACK_MIN));
  {
    std::lock_guard lock(mutex);
    if (exiting.load()) return Error(fmt::format("vCPU {} not started: the instance is exiting", slot.vcpu.id()));
    slot.running = true;
    ++threads_running;
  }
  auto* start = new ThreadStart{this, &slot};
  // The new thread starts with the kick signal blocked (inherited from a blocked mask).
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, kick_signal);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  int err = pthread_create(
      &slot.thread, &attr,
      [](void* arg) -> void* {
        auto* s = static_cast<ThreadStart*>(arg);
        Instance::Impl* impl = s->impl;
        VcpuSlot* vs = s->slot;
        delete s;
        impl->enter_vcpu_thread(*vs);
        impl->vcpu_loop(*vs);
        impl->vcpu_loop_done(*vs);
        return nullptr;
      },
      start);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  std::lock_guard lock(mutex);
  if (err != 0) {
    delete start;
    slot.running = false;
    --threads_running;
    return Error::from_errno(fmt::format("creating the thread of vCPU {}", slot.vcpu.id()), err);
  }
  slot.has_thread = true;
  return {};
}

void Instance::Impl::enter_vcpu_thread(VcpuSlot& slot) {
  // The kick signal is blocked in this thread; KVM_RUN and the wait's ppoll unblock it.
  slot.wait_mask = block_kick_signal(kick_signal);
  auto mask = slot.vcpu.set_signal_mask(slot.wait_mask);
  std::lock_guard lock(mutex);
  slot.thread = pthread_self();
  slot.tid = static_cast<pid_t>(::syscall(SYS_gettid));
  slot.kickable.store(true, std::memory_order_release);
  if (!mask) {
    exit_info = ExitInfo{ExitReason::VmmError, 0, mask.error().message(), {}};
    exiting.store(true);
  }
  if (slot.vcpu.id() == 0) arm_timer_locked();
}

void Instance::Impl::vcpu_loop_done(VcpuSlot& slot) {
  std::function<void(const ExitInfo&)> on_exit;
  ExitInfo info;
  {
    std::lock_guard lock(mutex);
    slot.running = false;
    slot.kickable.store(false, std::memory_order_release);
    if (--threads_running > 0) return;
    state = State::Exited;
    if (timer) {
      timer_delete(*timer);
      timer.reset();
    }
    info = *exit_info;
    on_exit = config.on_exit;
  }
  exited_cv.notify_all();
  if (on_exit) on_exit(info);
}

}  // namespace vmm
