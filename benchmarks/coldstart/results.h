// Per-instance samples, the CSV of every instance, and the report (JSON + text) that the
// harness prints and writes. Statistics use only samples that answered and saw no TCP
// retransmission; flagged samples are counted and listed, never averaged in.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vmm/result.h"

namespace coldstart {

struct Sample {
  uint32_t index = 0;
  int worker = -1;  // libvmm in-process: worker process and the instance's slot in it
  int slot = -1;
  // CLOCK_MONOTONIC ns; 0 = not reached / unknown.
  int64_t start_ns = 0;        // the harness's start call
  int64_t vmm_start_ns = 0;    // the VMM's start call
  int64_t vm_created_ns = 0;   // KVM_CREATE_VM done
  int64_t vm_ready_ns = 0;     // vCPUs ready to run
  int64_t first_entry_ns = 0;  // first KVM_RUN
  int64_t boot_ready_ns = 0;   // the guest said it is up
  int64_t connected_ns = 0;    // TCP handshake done
  int64_t first_200_ns = 0;    // first byte of the HTTP 200 at the host client
  bool vmm_times_estimated = false;
  uint32_t rst_retries = 0;
  uint32_t redials = 0;  // first SYN lost (QEMU starting): dialled again at boot-ready
  uint32_t retransmits = 0;
  uint64_t guest_pages = 0;  // guest pages resident (touched) at the end of the run
  uint64_t exits = 0;        // KVM exits by the end of the run
  uint64_t exits_at_ready = 0;  // KVM exits by boot-ready (libvmm mode), 0: unknown
  uint64_t pages_at_ready = 0;  // guest pages resident at boot-ready (--pages-at-ready), 0: unknown
  // The VMM's host system calls for this start (libvmm mode, start_syscalls.h), -1: not counted.
  int64_t syscalls_in_start = -1;  // worker's main thread: Instance::create() -> start() returned
  int64_t syscalls_to_ready = -1;  // + the instance's vCPU thread's, to boot-ready
  bool ok = false;
  std::string error;

  bool flagged() const { return retransmits > 0; }
  bool counted() const { return ok && !flagged(); }
  double cold_start_ms() const { return ok ? static_cast<double>(first_200_ns - start_ns) / 1e6 : std::nan(""); }
};

// Milliseconds of one phase of a sample (NaN when a bound is unknown).
struct Phase {
  const char* key;    // JSON key
  const char* label;  // text label
  int64_t Sample::*from;
  int64_t Sample::*to;
};
const std::vector<Phase>& phases();

// Every instance, one row each, header first.
vmm::Result<void> write_csv(const std::string& path, const std::vector<Sample>& samples);

// Sections of named values, rendered both as JSON ({section: {key: value}}) and as
// aligned text lines.
class Report {
 public:
  void section(const std::string& title);
  void add(const std::string& key, double value, const char* unit, const std::string& label, int decimals = 3);
  void add_text(const std::string& key, const std::string& value, const std::string& label);
  void note(const std::string& text);  // text line; also kept under "notes"
  // Appends another report as a titled part: its JSON under `key`, its text after a heading.
  void append(const std::string& key, const std::string& heading, const Report& part);
  const nlohmann::json& json() const { return json_; }
  nlohmann::json& json() { return json_; }
  const std::string& text() const { return text_; }

 private:
  nlohmann::json json_ = nlohmann::json::object();
  std::string section_;
  std::string text_;
};

// Cold-start distribution, first vs last 100, growth, rate, per-phase medians, failures
// and flags, exits, guest pages and system calls per start, KVM_CREATE_VM by instances
// already in the process (libvmm). `syscalls_missing`: in a mode that counts system calls,
// what to say when no sample has them ("unavailable: <reason>", "not counted (...)").
void summarize_samples(const std::vector<Sample>& samples, Report& report, const std::string& syscalls_missing = {});

// Median of phase `p` over counted samples; NaN if none.
double phase_median(const std::vector<Sample>& samples, const Phase& p);

// --compare: medians per phase of each mode's samples ("libvmm", "vmm-run", "qemu"; a
// missing mode is n/a) and the ratios qemu/vmm-run and vmm-run/libvmm, naming the guest's,
// the VMM's and the network's share of the time.
struct ModeSamples {
  std::string mode;
  const std::vector<Sample>* samples;
};
void report_comparison(const std::vector<ModeSamples>& runs, Report& report);

}  // namespace coldstart
