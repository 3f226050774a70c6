// Vcpu: one KVM vCPU fd and its shared kvm_run page. Registers are set up before the
// first run(); run() returns a decoded exit that borrows the kvm_run page (valid until
// the next run()).
//
// Kicking: another thread stops a running vCPU with kick_prepare() (sets
// kvm_run.immediate_exit) followed by a signal to the vCPU's thread (see
// Instance: the signal is chosen by the embedder). run() then returns Interrupted.
#pragma once

#include <linux/kvm.h>
#include <signal.h>

#include <cstdint>
#include <span>
#include <string>

#include "vmm/mapping.h"
#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace vmm {

// Registers captured when a vCPU failed, for crash reports.
struct RegisterDump {
  kvm_regs regs{};
  kvm_sregs sregs{};
  bool valid = false;
  // Multi-line human-readable dump: RIP, RSP, RFLAGS, general registers, CR0/2/3/4,
  // EFER, CS/SS.
  std::string format() const;
};

struct VcpuExit {
  enum class Kind {
    Io,             // port I/O; io describes it
    Mmio,           // memory access outside any memslot (or a write to a read-only slot)
    Hlt,
    Shutdown,       // triple fault; regs captured
    InternalError,  // KVM could not emulate; regs captured
    FailEntry,      // the vCPU state was rejected; regs captured
    SystemEvent,    // system_event_type: KVM_SYSTEM_EVENT_*
    Interrupted,    // a signal or immediate_exit stopped KVM_RUN
    Debug,
    Unknown,        // any other exit_reason (raw_reason)
  };
  struct IoAccess {
    uint16_t port;
    uint8_t size;   // 1, 2 or 4
    bool is_write;  // OUT
    uint32_t count; // > 1 for string I/O (rep ins/outs)
    std::span<uint8_t> data;  // size * count bytes inside kvm_run
  };
  struct MmioAccess {
    uint64_t gpa;
    bool is_write;
    std::span<uint8_t> data;  // 1..8 bytes inside kvm_run
  };

  Kind kind = Kind::Unknown;
  uint32_t raw_reason = 0;
  IoAccess io{};
  MmioAccess mmio{};
  uint32_t internal_suberror = 0;     // InternalError
  uint64_t fail_entry_reason = 0;     // FailEntry: hardware_entry_failure_reason
  uint32_t system_event_type = 0;     // SystemEvent
  RegisterDump regs;                  // Shutdown, InternalError, FailEntry

  // One-line description: "triple fault (KVM_EXIT_SHUTDOWN)", "port I/O write 0x3f8"...
  std::string describe() const;
};

class Vcpu {
 public:
  Vcpu(Vcpu&&) noexcept = default;
  Vcpu& operator=(Vcpu&&) noexcept = default;

  // Used by Vm::create_vcpu.
  static Result<Vcpu> from_fd(UniqueFd fd, uint32_t id, int mmap_size);

  uint32_t id() const { return id_; }
  int fd() const { return fd_.get(); }
  kvm_run* run_area() const { return static_cast<kvm_run*>(run_.get()); }

  Result<kvm_regs> get_regs() const;
  Result<void> set_regs(const kvm_regs& regs);
  Result<kvm_sregs> get_sregs() const;
  Result<void> set_sregs(const kvm_sregs& sregs);
  Result<void> set_cpuid(std::span<const kvm_cpuid_entry2> entries);
  Result<void> set_msrs(std::span<const kvm_msr_entry> msrs);
  Result<uint64_t> get_msr(uint32_t index) const;
  Result<kvm_fpu> get_fpu() const;
  Result<void> set_fpu(const kvm_fpu& fpu);
  Result<void> set_xcr0(uint64_t xcr0);
  Result<void> set_lapic(const kvm_lapic_state& state);
  Result<kvm_lapic_state> get_lapic() const;
  Result<void> set_mp_state(uint32_t state);
  // KVM_GET_TSC_KHZ.
  Result<uint32_t> tsc_khz() const;
  // KVM_SET_SIGNAL_MASK: the signal mask in effect while the vCPU runs guest code.
  Result<void> set_signal_mask(const sigset_t& mask);

  // KVM_RUN. EINTR (a kick) is not an error: it yields Kind::Interrupted.
  Result<VcpuExit> run();
  // Makes the next (or current) KVM_RUN return at once. Thread-safe.
  void kick_prepare() noexcept;
  // Clears a pending immediate exit; called by the vCPU's own thread after a kick.
  void kick_clear() noexcept;

  RegisterDump dump_registers() const;

 private:
  Vcpu(UniqueFd fd, Mapping run, uint32_t id) : fd_(std::move(fd)), run_(std::move(run)), id_(id) {}
  UniqueFd fd_;
  Mapping run_;
  uint32_t id_ = 0;
};

}  // namespace vmm
