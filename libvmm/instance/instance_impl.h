// The state behind vmm::Instance, shared by the boot sequence (instance_boot.cpp), the
// vCPU loops (vcpu_loop.cpp) and the lean hypercalls (lean_hypercalls.cpp).
#pragma once

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "boot/boot_protocol.h"
#include "devices/device_host.h"
#include "devices/device_set.h"
#include "instance/guest_ram.h"
#include "vmm/instance.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

namespace vmm {

struct VcpuSlot {
  explicit VcpuSlot(Vcpu v) : vcpu(std::move(v)) {}
  Vcpu vcpu;
  pthread_t thread{};
  pid_t tid = 0;            // kernel thread id (for timers), set by the thread itself
  bool has_thread = false;  // a libvmm thread was created (join it)
  bool running = false;     // a thread is inside the vCPU loop; kicks reach it
  bool started = false;     // lean APs: cpu_start was accepted
  // `thread` is valid and inside the loop: read without the lock by request_kill().
  std::atomic<bool> kickable{false};
  sigset_t wait_mask{};     // the thread's signal mask minus the kick signal
};

struct AtomicStats {
  std::atomic<uint64_t> exits{0}, exits_io{0}, exits_mmio{0}, exits_interrupted{0}, exits_other{0};
  std::atomic<uint64_t> hypercalls{0}, hypercalls_rejected{0};
  std::atomic<uint64_t> console_bytes{0}, console_dropped{0};
  std::atomic<uint64_t> waits{0}, wait_blocked_ns{0};
  std::atomic<uint64_t> exits_at_boot_ready{0};
};

struct AtomicTimes {
  std::atomic<int64_t> start_called{0}, vm_created{0}, memory_ready{0}, vcpus_created{0}, vcpus_ready{0},
      first_entry{0}, boot_ready{0}, exited{0};
};

struct Instance::Impl final : DeviceHost {
  InstanceConfig config;
  std::string uuid;
  int kick_signal = 0;
  MachineLayout layout;
  std::shared_ptr<const BootTemplate> tmpl;
  const BootDriver* driver = nullptr;

  std::optional<Vm> vm_;
  GuestRam ram;
  GuestMemory memory;
  DeviceSet devices;
  std::vector<std::unique_ptr<VcpuSlot>> vcpus;
  // Set by setup_platform() when an in-kernel (or split) irqchip exists: devices may
  // then raise interrupts with irqfd.
  bool irqchip = false;
  // Parameters devices add to the guest command line (virtio_mmio.device=...), inserted
  // before the " -- " that starts application arguments.
  std::string cmdline_extra;
  // Guest clock origin: guest TSC and host CLOCK_MONOTONIC at the same moment.
  uint64_t boot_tsc = 0;
  int64_t boot_monotonic_ns = 0;
  uint64_t tsc_hz = 0;

  AtomicStats stats;
  AtomicTimes times;

  // Lifecycle. `mutex` guards state, exit_info, the vCPU slots' thread fields and timer.
  mutable std::mutex mutex;
  std::condition_variable exited_cv;
  State state = State::Created;
  std::optional<ExitInfo> exit_info;
  std::atomic<bool> exiting{false};         // an exit was decided; vCPU loops wind down
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> kill_requested{false};  // request_kill(): checked by the vCPU loops
  std::atomic<bool> vcpus_published{false};  // `vcpus` is complete and will not change
  std::atomic<int64_t> stop_deadline{0};    // monotonic ns; 0 = none
  std::atomic<int64_t> timeout_deadline{0};
  std::atomic<int64_t> console_budget{0};   // bytes the console may still deliver
  uint32_t threads_running = 0;
  std::optional<timer_t> timer;             // fires the kick at timeout/stop deadlines

  // Decides the instance's exit (the first decision wins) and kicks every vCPU.
  void finish(ExitInfo info);
  // Kicks all vCPUs out of KVM_RUN / wait. Caller holds `mutex`.
  void kick_all_locked();
  // Arms the timer (on vCPU 0's thread id) for the earliest pending deadline.
  void arm_timer_locked();
  // After KVM_RUN returned for a kick: clears immediate_exit and takes the pending kick
  // signal (blocked outside KVM_RUN, so nothing else would).
  void consume_kick(VcpuSlot& slot);
  // Whether the loop must end because of a deadline; finishes the instance if so.
  bool check_deadlines();
  // Threads of vCPUs 1..n-1 when the protocol runs them all from the start.
  Result<void> spawn_secondary_threads();
  // Starts a libvmm thread running the loop of `slot`.
  Result<void> spawn_vcpu_thread(VcpuSlot& slot);
  // Per-thread setup at the start of a vCPU thread (or of run() on the caller's thread):
  // signal masks, thread ids, the deadline timer.
  void enter_vcpu_thread(VcpuSlot& slot);
  // The vCPU loop; returns when the instance is exiting.
  void vcpu_loop(VcpuSlot& slot);
  // Bookkeeping when a loop ends; the last one publishes the exit.
  void vcpu_loop_done(VcpuSlot& slot);

  // Checks the state and builds the VM; the instance is Running (but no vCPU runs) after.
  Result<void> prepare();
  // Boot sequence (instance_boot.cpp).
  Result<void> build_vm();
  // The emulated platform of standard guests: irqchip, PIT, UART, i8042, RTC, boot timer
  // (instance_platform.cpp). Runs after KVM_CREATE_VM, before vCPUs are created.
  Result<void> setup_platform();
  // Devices of config.nets/config.disks (instance_devices.cpp). Runs after
  // setup_platform(), before vCPUs are created; lean guests get them in the boot info.
  Result<void> attach_devices();

  // DeviceStats of each device (instance_devices.cpp).
  std::vector<DeviceStats> collect_device_stats() const;
  // config.cmdline with cmdline_extra inserted.
  std::string effective_cmdline() const;

  // DeviceHost.
  const GuestMemory& guest_memory() const override { return memory; }
  Vm& vm() override { return *vm_; }
  void request_exit(ExitInfo info) override { finish(std::move(info)); }
  void mark_boot_ready() override;
  void console_output(std::string_view bytes) override;
};

}  // namespace vmm
