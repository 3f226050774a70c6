// --repeat: host and process counters taken before the first run and after each teardown,
// so a run that is torn down and repeated can be checked for what it leaves behind: fds,
// mappings and threads of the harness, child processes, namespaces, network devices, KVM's
// per-VM kernel threads, memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host.h"
#include "results.h"

namespace coldstart {

struct HostSnapshot {
  ProcCounters self;
  int64_t children = -1;       // live processes whose parent is the harness
  int64_t namespaces = -1;     // /run/netns/vmmcs-*
  int64_t net_devices = -1;    // interfaces in the harness's namespace
  int64_t kvm_threads = -1;    // kvm-nx-lpage-recovery threads host-wide (one per live VM)
  int64_t mem_available_kib = -1;
  int64_t slab_kib = -1;
};

HostSnapshot take_snapshot();

// Adds a "leak check" section: the counters at each point and the verdict. Counts must be
// equal after every teardown; memory is reported (the page cache and slab caches move on
// their own). Returns true when nothing leaked.
bool report_leaks(const std::vector<HostSnapshot>& snapshots, Report& report);

}  // namespace coldstart
