// A VMM process per instance: vmm-run (libvmm as a process) or QEMU's microvm machine,
// booting the same image. Each run is start, measure, stop: the process is spawned at the
// start call, opens the tap by name, and is stopped (SIGTERM) once the first 200 is in.
//
// What is observed: the tap's carrier (link_watch.h) gates the SYN; the guest's console
// line containing the ready pattern marks boot-ready (read from the process's pipes, so it
// includes the pipe wake-up, tens of microseconds). vmm-run --json prints its BootTimes
// relative to its start call when it exits; anchoring its boot_ready on the observed console
// line places its other phases on the host clock (estimated = true). QEMU reports nothing,
// so its time splits only into start -> boot-ready and boot-ready -> first 200.
#pragma once

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "launcher.h"
#include "options.h"
#include "process.h"
#include "vmm/unique_fd.h"

namespace coldstart {

// Carrier state of interfaces, from rtnetlink link notifications (RTNLGRP_LINK). A tap has
// carrier only while a process has it open, and the kernel drops what is sent to a tap
// without carrier, so a SYN for a guest whose VMM opens the tap by name (vmm-run, QEMU)
// is sent once its tap reports carrier: the notification comes after the kernel has
// activated the tap's queue. Event-driven: the caller watches fd().
class LinkWatch {
 public:
  // Subscribes in the caller's current network namespace.
  static vmm::Result<LinkWatch> open();
  int fd() const { return sock_.get(); }
  // Reads every pending notification.
  void drain();
  bool carrier(int ifindex) const { return up_.count(ifindex) != 0; }

 private:
  explicit LinkWatch(vmm::UniqueFd sock) : sock_(std::move(sock)) {}
  vmm::UniqueFd sock_;
  std::unordered_set<int> up_;
};


class ProcessLauncher final : public Launcher {
 public:
  // mode: VmmMode::VmmRun or VmmMode::Qemu. Checks that the binary runs.
  static vmm::Result<std::unique_ptr<ProcessLauncher>> create(const Options& options, VmmMode mode);

  std::string describe() const override;
  vmm::Result<void> begin(InstanceSpec spec) override;
  std::vector<int> watch_fds() const override;
  void on_ready(int fd, int64_t now) override;
  bool tap_ready() const override { return link_.carrier(ifindex_); }
  bool settled() const override { return boot_ready_ns_ != 0 || failure_.has_value(); }
  std::optional<std::string> failure() const override { return failure_; }
  VmmTimes finish() override;

  // Whether the VMM takes the guest MAC (so the harness can install a permanent neighbour
  // entry for it); vmm-run without --mac gives a random MAC, found by ARP instead.
  bool accepts_mac() const { return accepts_mac_; }

 private:
  ProcessLauncher(const Options& options, VmmMode mode, LinkWatch link)
      : options_(options), mode_(mode), link_(std::move(link)) {}
  std::vector<std::string> argv_for(const InstanceSpec& spec) const;
  void read_pipe(vmm::UniqueFd& fd, std::string& into, int64_t now);
  VmmTimes parse_vmm_run_json() const;

  const Options& options_;
  VmmMode mode_;
  LinkWatch link_;
  bool accepts_mac_ = false;
  std::string binary_;
  Child child_;
  int ifindex_ = 0;
  std::string out_, err_;  // what the process wrote (bounded)
  int64_t boot_ready_ns_ = 0;
  std::optional<std::string> failure_;
};

}  // namespace coldstart
