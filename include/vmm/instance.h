// Instance: one guest VM booted from an Image. What an embedder uses.
//
// Lifecycle: create() checks the configuration; start() builds the VM (KVM VM, guest RAM,
// vCPUs, boot data) on the calling thread, so every setup error comes back from start(),
// then runs the vCPUs on threads libvmm owns (one per vCPU, `vcpu_stack_size` bytes of
// stack each) and returns. run() does the same but runs vCPU 0 on the calling thread
// and returns when the guest has exited. wait()/wait_for() block until the exit.
// stop() asks the guest to shut down (lean guests see VMM_WAIT_STOP_REQUESTED) and kills
// it after the grace period; kill() ends it at once. stop(), kill(), wait() and the
// accessors may be called from any thread.
//
// Callbacks (console, on_boot_ready, on_exit) run on a vCPU thread, synchronously: keep
// them short, and never destroy the Instance from inside one (the destructor joins the
// vCPU threads).
//
// Many instances may run concurrently in one process; libvmm keeps no global mutable
// state beyond installing a do-nothing handler for the kick signal. Every fd is
// O_CLOEXEC and guest RAM is MADV_DONTFORK, so embedders may fork.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vmm/device_config.h"
#include "vmm/image.h"
#include "vmm/kvm.h"
#include "vmm/platform_config.h"
#include "vmm/result.h"

namespace vmm {

// CLOCK_MONOTONIC nanoseconds of each boot phase; 0 = not reached.
struct BootTimes {
  int64_t start_called = 0;   // start()/run() entered
  int64_t vm_created = 0;     // KVM_CREATE_VM done
  int64_t memory_ready = 0;   // guest RAM mapped and registered
  int64_t vcpus_created = 0;  // KVM vCPUs created
  int64_t vcpus_ready = 0;    // boot data written and vCPU registers set: ready to run
  int64_t first_entry = 0;    // the boot vCPU's first KVM_RUN
  int64_t boot_ready = 0;     // the guest said it is up (hypercall or boot-timer device)
  int64_t exited = 0;         // the instance ended
};

enum class ExitReason {
  GuestExit,  // the guest exited (status holds its exit status)
  Crash,      // CPU exception, triple fault, KVM emulation failure, fault on MMIO
  Reset,      // the guest rebooted (i8042 reset, ...)
  PowerOff,   // the guest powered off
  Timeout,    // InstanceConfig::timeout elapsed
  Stopped,    // stop(): the guest did not exit within the grace period
  Killed,     // kill()
  VmmError,   // libvmm could not continue (KVM_RUN failed, ...)
};
const char* to_string(ExitReason reason);

struct ExitInfo {
  ExitReason reason = ExitReason::VmmError;
  int64_t status = 0;   // GuestExit: the guest's status
  std::string message;  // one line: what happened ("guest exception #PF at rip=...")
  std::string details;  // multi-line: registers etc. (crashes), may be empty
};

struct InstanceStats {
  uint64_t exits = 0;           // every return from KVM_RUN
  uint64_t exits_io = 0;
  uint64_t exits_mmio = 0;
  uint64_t exits_interrupted = 0;
  uint64_t exits_other = 0;
  uint64_t hypercalls = 0;
  uint64_t hypercalls_rejected = 0;  // malformed: bad block, size, direction, number
  uint64_t console_bytes = 0;        // delivered to the console sink
  uint64_t console_dropped = 0;      // beyond console_limit
  uint64_t waits = 0;                // wait hypercalls
  uint64_t wait_blocked_ns = 0;      // time spent blocked in wait
  uint64_t exits_at_boot_ready = 0;  // `exits` when the guest said boot-ready (that exit included)
};

struct InstanceConfig {
  std::shared_ptr<const Kvm> kvm;      // required: Kvm::open() once, share it
  std::shared_ptr<const Image> image;  // required
  std::string name;                    // for messages; default: the image name
  uint64_t memory_bytes = 16ull << 20;
  uint32_t vcpus = 1;
  std::string cmdline;
  // Guest console output; called on a vCPU thread. Null: output is counted and dropped.
  std::function<void(std::string_view)> console;
  uint64_t console_limit = 1ull << 20;  // bytes passed to `console`; the rest is dropped
  std::chrono::nanoseconds timeout{0};  // 0: none
  // Signal used to kick vCPU threads out of KVM_RUN/wait (a do-nothing handler is
  // installed if the signal has the default disposition). 0: SIGRTMIN.
  int kick_signal = 0;
  size_t vcpu_stack_size = 256 * 1024;
  // Guest RAM in transparent huge pages (MADV_HUGEPAGE) or, by default, in 4 KiB pages
  // (MADV_NOHUGEPAGE). The choice is libvmm's, not the host's THP setting ("always" on a
  // stock Debian kernel): small pages keep an instance at the pages its guest touched;
  // huge pages trade fewer faults for 2 MiB of host memory per touched region (measured in
  // docs/results/huge-pages.md). true fails at start() where the host has no THP.
  bool huge_pages = false;
  std::function<void()> on_boot_ready;
  std::function<void(const ExitInfo&)> on_exit;
  // Devices, attached in this order (virtio-mmio windows, command-line announcements).
  std::vector<NetConfig> nets;
  std::vector<DiskConfig> disks;
  PlatformConfig platform;
};

class Instance {
 public:
  enum class State { Created, Starting, Running, Exited };

  static Result<std::unique_ptr<Instance>> create(InstanceConfig config);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  Result<void> start();
  // start(), then vCPU 0 on this thread until the guest exits.
  Result<ExitInfo> run();
  ExitInfo wait();
  std::optional<ExitInfo> wait_for(std::chrono::nanoseconds timeout);
  void stop(std::chrono::nanoseconds grace = std::chrono::seconds(5));
  void kill();
  // kill() for signal handlers: async-signal-safe (atomic stores and pthread_kill only).
  // The vCPU threads notice at their next exit and end the instance as Killed.
  void request_kill() noexcept;

  State state() const;
  const std::string& name() const;
  const std::string& uuid() const;  // random (v4) per instance
  const InstanceConfig& config() const;
  BootTimes times() const;
  InstanceStats stats() const;
  // Counters of every attached device, in attachment order.
  std::vector<DeviceStats> device_stats() const;
  // Pages of guest RAM present in this process's page tables for this instance, from
  // /proc/self/pagemap: what the guest and the VMM touched, plus neighbours of touched
  // template pages that the kernel's fault-around mapped (shared page-cache pages).
  Result<uint64_t> resident_guest_pages() const;

  struct Impl;

 private:
  explicit Instance(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vmm
