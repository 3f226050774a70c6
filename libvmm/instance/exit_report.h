// ExitInfo texts for the ways a guest can end badly.
#pragma once

#include <string>

#include "vmm/guest_abi.h"
#include "vmm/instance.h"
#include "vmm/vcpu.h"

namespace vmm {

ExitInfo crash_report(std::string message, const RegisterDump& regs);
// A CPU exception the lean guest took (reported by the VMM's CPL0 stub).
ExitInfo exception_report(const vmm_exception_frame& frame, uint64_t cr2, const RegisterDump& regs);
// KVM_EXIT_SYSTEM_EVENT (PSCI-style shutdown/reset/crash).
ExitInfo system_event_report(uint32_t type);
// "#PF (page fault)" for vector 14; "vector 40" for unknown ones.
std::string exception_name(uint64_t vector);

}  // namespace vmm
