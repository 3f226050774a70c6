// How the sequential driver starts one instance, whatever runs it: libvmm inside worker
// processes (inproc_launcher.h), or a VMM process per instance (process_launcher.h).
// The driver takes the start time, calls begin(), watches watch_fds() together with the
// HTTP probe, connects once tap_ready(), and calls finish() when the probe is done and the
// launcher settled() (or at the deadline).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace coldstart {

struct InstanceSpec {
  uint32_t index = 0;
  std::string cmdline;
  std::array<uint8_t, 6> mac{};
  std::string tap;
  int ifindex = 0;
  vmm::UniqueFd tap_fd;  // libvmm in-process: the harness's tap fd, handed to the worker
};

// What the VMM side knows (CLOCK_MONOTONIC ns; 0 = unknown).
struct VmmTimes {
  int64_t vmm_start_ns = 0;    // the VMM's start call (libvmm: Instance::start() entered)
  int64_t vm_created_ns = 0;   // KVM_CREATE_VM done
  int64_t vm_ready_ns = 0;     // vCPUs ready to run
  int64_t first_entry_ns = 0;  // first KVM_RUN
  int64_t boot_ready_ns = 0;   // the guest said it is up
  bool estimated = false;      // derived from the console line (vmm-run, QEMU), see docs
  int worker = -1;             // in-process: worker number and the instance's slot in it
  int slot = -1;
};

class Launcher {
 public:
  virtual ~Launcher() = default;
  // One line for the report, e.g. "libvmm in-process: 20 workers x 250".
  virtual std::string describe() const = 0;
  // Issues the start of spec.index and returns without waiting for the boot.
  virtual vmm::Result<void> begin(InstanceSpec spec) = 0;
  // Descriptors to watch while the instance is in flight.
  virtual std::vector<int> watch_fds() const = 0;
  // One of watch_fds() is readable at `now`.
  virtual void on_ready(int fd, int64_t now) = 0;
  // A SYN sent now reaches the guest: its tap has a reader (or holds the SYN for it).
  virtual bool tap_ready() const = 0;
  // The VMM side has said all it will say before finish().
  virtual bool settled() const = 0;
  // True when the SYN sent at the start call may be lost (QEMU reads and drops frames that
  // reach its tap while it starts): the client dials again once the VMM says the guest is
  // up (settled()) and the first SYN is still unanswered.
  virtual bool redial_when_ready() const { return false; }
  // The instance failed to start: the reason.
  virtual std::optional<std::string> failure() const = 0;
  // Ends the in-flight part and returns the VMM's times. Process modes stop the process
  // here (start, measure, stop); libvmm instances keep running.
  virtual VmmTimes finish() = 0;
};

}  // namespace coldstart
