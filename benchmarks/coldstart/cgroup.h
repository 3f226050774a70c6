// Memory accounting for a run: a dedicated memory cgroup per group of processes, below the
// harness's own memory cgroup. Works with cgroup v1 (memory.usage_in_bytes, which on
// current kernels includes kernel memory, and memory.kmem.usage_in_bytes for that part) and
// cgroup v2 (memory.current, and memory.stat's `kernel`). KVM charges a VM's kernel memory
// (page tables, vCPU state) to the cgroup of the process that creates it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "vmm/result.h"

namespace coldstart {

struct MemoryUsage {
  int64_t total_bytes = -1;   // user + kernel memory charged to the group
  int64_t kernel_bytes = -1;  // the kernel part, where the cgroup reports it
};

class MemoryCgroup {
 public:
  // Creates <the caller's memory cgroup>/<name> (cgroup v2: below the root when the
  // caller's own cgroup cannot delegate the memory controller). Fails with the reason when
  // this host has no usable memory controller (the caller then reports memory from /proc
  // only).
  static vmm::Result<std::unique_ptr<MemoryCgroup>> create(const std::string& name);
  // Moves every process still in the group back to the creator's cgroup and removes it.
  ~MemoryCgroup();
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;

  // Moves process `pid` (0: the caller) into the group; on v1 its existing charges move too
  // where the kernel supports memory.move_charge_at_immigrate.
  vmm::Result<void> add(pid_t pid);
  MemoryUsage usage() const;
  const std::string& path() const { return path_; }
  int version() const { return version_; }

 private:
  MemoryCgroup(std::string path, std::string home, int version)
      : path_(std::move(path)), home_(std::move(home)), version_(version) {}
  std::string path_;
  std::string home_;  // where the creator's processes live; processes return there
  int version_;
};

}  // namespace coldstart
