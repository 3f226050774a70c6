// The measurement loops: instances started strictly one after another (each measured alone,
// every earlier one left running), and the final probe of all of them. Both wait in epoll
// with deadlines (no busy polling) and stop early on Ctrl-C.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host.h"
#include "launcher.h"
#include "netlab.h"
#include "options.h"
#include "results.h"

namespace coldstart {

// Starts instances [0, count) through `launcher`. For each: the start call time, begin(),
// one non-blocking connect() as soon as the tap can take the SYN (at once for taps the
// harness holds), an immediate retry on RST, and the first byte of the HTTP 200. An
// instance that does not answer within options.timeout_s is recorded as failed and the run
// goes on. Prints a progress line every options.progress_every instances. On a stop signal,
// returns the samples so far with *interrupted set.
vmm::Result<std::vector<Sample>> run_sequential(Launcher& launcher, NetLab& lab, const Options& options,
                                                uint32_t count, StopSignals& signals, bool* interrupted);

struct ProbeAllResult {
  uint32_t probed = 0;
  uint32_t answered = 0;
  uint32_t retransmits = 0;
  double seconds = 0;
  std::vector<std::string> failures;  // "instance 17: timeout"
};

// GETs every instance [0, count) again, options.probe_parallel connections at a time.
ProbeAllResult probe_all(const Options& options, uint32_t count, StopSignals& signals);

// Waits `seconds` (in epoll on the stop signals); false if a stop signal came first.
bool sleep_unless_stopped(StopSignals& signals, double seconds);

}  // namespace coldstart
