// One complete run of one mode: network setup (reported apart, before the timed part),
// the instances one after another, the checks after the run, and the teardown.
#pragma once

#include <string>
#include <vector>

#include "host.h"
#include "netlab.h"
#include "options.h"
#include "results.h"

namespace coldstart {

struct ModeRun {
  VmmMode mode = VmmMode::Libvmm;
  std::vector<Sample> samples;
  Report report;
  bool interrupted = false;
};

// libvmm in-process: taps held by the harness, W worker processes of up to K instances in
// a memory cgroup; after the run: no exits while idle, memory per instance, every instance
// answers again; --keep waits for Ctrl-C before the teardown.
vmm::Result<ModeRun> run_libvmm(uint32_t count, const Options& options, StopSignals& signals,
                                const std::string& name);

// vmm-run or QEMU, a process per instance (start, measure, stop), persistent taps.
vmm::Result<ModeRun> run_process_mode(VmmMode mode, uint32_t count, const Options& options, StopSignals& signals,
                                      const std::string& name);

// Reports the network setup: times, tap ownership, neighbour entries, sysctls changed.
void report_network(Report& report, const NetSetupTimes& t, const std::vector<std::string>& sysctls,
                    bool permanent_neighbours);

}  // namespace coldstart
