// The VMM's own host system calls for one instance start in a worker (docs/coldstart.md,
// "Counts that do not depend on the machine's speed"): those of the worker's main thread
// from just before Instance::create() to the return of Instance::start() ("in start"),
// plus those of the instance's vCPU thread from its creation to boot-ready, read in
// on_boot_ready ("to boot-ready" is the sum). Not counted: the worker's Started reply and
// its wait for the next message (they race with the guest's boot, and are the harness's
// protocol, not the VMM), other instances' threads (the previous instance may still be
// closing its connection), and the counting's own reads.
//
// How: a counter of the main thread alone (M) for the worker's life, and per instance an
// inherited counter (T: the main thread and every thread created after its open, i.e. this
// instance's vCPU thread). T is opened by arm() on the main thread after the previous
// start's reply, outside any measured window, and closed by the vCPU thread once read at
// boot-ready (~2 µs there), before the next instance's vCPU thread could inherit it. The
// vCPU thread's share is T minus the main thread's part of T, which M tells.
//
// Cost: the counted threads hold perf contexts, which slow each start by ~40 µs on our
// nested PVM host (the vCPU thread's creation +30, the guest's boot +10), so vmm-coldstart
// counts only with --syscalls (or inside QEMU-TCG, where times are not the point).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "../support/syscall_counter.h"
#include "vmm/result.h"

namespace coldstart {

// One instance's counting, shared by the worker's main thread and the instance's vCPU thread.
class StartSyscallWindow {
 public:
  // -1: not known (not reached, or the instance failed).
  int64_t in_start() const { return in_start_.load(); }
  int64_t to_boot_ready() const;

 private:
  friend class StartSyscalls;
  enum State : int { Running, Reading, Done, Abandoned };
  std::shared_ptr<const vmm::bench::SyscallCounter> main_;  // M
  std::optional<vmm::bench::SyscallCounter> instance_;      // T; closed by whoever ends the window
  uint64_t t_begin_ = 0, m_begin_ = 0;                      // read by the main thread before create()
  std::atomic<int> state_{Running};
  std::atomic<int64_t> in_start_{-1};
  std::atomic<int64_t> vcpu_{-1};
};

class StartSyscalls {
 public:
  // Opens M and arms the first instance's counter. Call on the worker's main thread before
  // any instance exists. Fails with the reason (one line) when the host cannot count.
  static vmm::Result<std::unique_ptr<StartSyscalls>> open();

  // Main thread, just before Instance::create(): the armed counter becomes this instance's
  // window; a previous window still waiting for its boot-ready is abandoned (closed) so the
  // new vCPU thread does not inherit it. Null if no counter could be armed.
  std::shared_ptr<StartSyscallWindow> begin();
  // Main thread, when start() returned: success or not.
  void started(StartSyscallWindow& w, bool ok);
  // The instance's vCPU thread, in on_boot_ready: completes the count and closes T.
  static void boot_ready(StartSyscallWindow& w);
  // Main thread, outside any measured window (after the Started reply): opens the next
  // instance's counter, if none is armed.
  void arm();

 private:
  explicit StartSyscalls(vmm::bench::SyscallCounter main)
      : main_(std::make_shared<const vmm::bench::SyscallCounter>(std::move(main))) {}
  static void close_instance_counter(StartSyscallWindow& w, StartSyscallWindow::State from);

  std::shared_ptr<const vmm::bench::SyscallCounter> main_;
  std::optional<vmm::bench::SyscallCounter> armed_;
  std::shared_ptr<StartSyscallWindow> last_;
};

}  // namespace coldstart
