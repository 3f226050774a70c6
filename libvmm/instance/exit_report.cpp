#include "instance/exit_report.h"

#include <linux/kvm.h>

#include <fmt/format.h>

namespace vmm {

std::string exception_name(uint64_t vector) {
  static constexpr const char* kNames[] = {
      "#DE (divide error)",  "#DB (debug)",         "NMI",
      "#BP (breakpoint)",    "#OF (overflow)",      "#BR (bound range)",
      "#UD (invalid opcode)", "#NM (device not available)", "#DF (double fault)",
      "coprocessor segment overrun", "#TS (invalid TSS)", "#NP (segment not present)",
      "#SS (stack fault)",   "#GP (general protection)", "#PF (page fault)",
      "reserved 15",         "#MF (x87 error)",     "#AC (alignment check)",
      "#MC (machine check)", "#XM (SIMD exception)", "#VE (virtualization)",
      "#CP (control protection)"};
  if (vector < std::size(kNames)) return kNames[vector];
  return fmt::format("vector {}", vector);
}

ExitInfo crash_report(std::string message, const RegisterDump& regs) {
  return {ExitReason::Crash, 0, std::move(message), regs.format()};
}

ExitInfo exception_report(const vmm_exception_frame& f, uint64_t cr2, const RegisterDump& regs) {
  std::string message = fmt::format("guest exception {} at rip={:#x}", exception_name(f.vector), f.rip);
  if (f.vector == 14) message += fmt::format(" accessing {:#x} (error code {:#x})", cr2, f.error_code);
  else if (f.error_code != 0) message += fmt::format(" (error code {:#x})", f.error_code);
  std::string details = fmt::format("vector={} error={:#x} rip={:#x} cs={:#x} rflags={:#x} rsp={:#x} ss={:#x} cr2={:#x}\n",
                                    f.vector, f.error_code, f.rip, f.cs, f.rflags, f.rsp, f.ss, cr2);
  details += regs.format();
  return {ExitReason::Crash, 0, std::move(message), std::move(details)};
}

ExitInfo system_event_report(uint32_t type) {
  switch (type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN: return {ExitReason::PowerOff, 0, "guest powered off", {}};
    case KVM_SYSTEM_EVENT_RESET: return {ExitReason::Reset, 0, "guest requested a reset", {}};
    case KVM_SYSTEM_EVENT_CRASH: return {ExitReason::Crash, 0, "guest reported a crash (system event)", {}};
    default: return {ExitReason::Crash, 0, fmt::format("unknown system event {}", type), {}};
  }
}

}  // namespace vmm
