// A VMM process per instance: vmm-run (libvmm as a process) or QEMU's microvm machine,
// booting the same image. Each run is start, measure, stop: the process is spawned at the
// start call with the tap the harness holds open as its fd 3 (vmm-run --net-fd 3, QEMU
// -netdev tap,fd=3), so the SYN sent at the start call waits in the tap as it does for
// in-process instances; the process is stopped (SIGTERM) once the first 200 is in.
//
// What is observed: the guest's console line containing the ready pattern marks boot-ready (read from the process's pipes, so it
// includes the pipe wake-up, tens of microseconds). vmm-run --json prints its BootTimes
// relative to its start call when it exits; anchoring its boot_ready on the observed console
// line places its other phases on the host clock (estimated = true). QEMU reports nothing,
// so its time splits only into start -> boot-ready and boot-ready -> first 200.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "launcher.h"
#include "options.h"
#include "process.h"
#include "vmm/unique_fd.h"

namespace coldstart {

class ProcessLauncher final : public Launcher {
 public:
  // mode: VmmMode::VmmRun or VmmMode::Qemu. Checks that the binary runs.
  static vmm::Result<std::unique_ptr<ProcessLauncher>> create(const Options& options, VmmMode mode);

  std::string describe() const override;
  vmm::Result<void> begin(InstanceSpec spec) override;
  std::vector<int> watch_fds() const override;
  void on_ready(int fd, int64_t now) override;
  bool tap_ready() const override { return true; }  // the harness holds the tap open
  bool redial_when_ready() const override { return mode_ == VmmMode::Qemu; }
  bool settled() const override { return boot_ready_ns_ != 0 || failure_.has_value(); }
  std::optional<std::string> failure() const override { return failure_; }
  VmmTimes finish() override;

  // Whether the VMM takes the guest MAC (so the harness can install a permanent neighbour
  // entry for it); vmm-run without --mac gives a random MAC, found by ARP instead.
  bool accepts_mac() const { return accepts_mac_; }

 private:
  ProcessLauncher(const Options& options, VmmMode mode) : options_(options), mode_(mode) {}
  std::vector<std::string> argv_for(const InstanceSpec& spec) const;
  void read_pipe(vmm::UniqueFd& fd, std::string& into, int64_t now);
  VmmTimes parse_vmm_run_json() const;

  const Options& options_;
  VmmMode mode_;
  bool accepts_mac_ = false;
  std::string binary_;
  Child child_;
  vmm::UniqueFd tap_fd_;  // held from before the start call until the process is stopped
  std::string out_, err_;  // what the process wrote (bounded)
  int64_t boot_ready_ns_ = 0;
  std::optional<std::string> failure_;
};

}  // namespace coldstart
