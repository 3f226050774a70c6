// KVM_RUN and the decoding of kvm_run into VcpuExit.
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "vmm/vcpu.h"

namespace vmm {

Result<VcpuExit> Vcpu::run() {
  VcpuExit exit;
  if (::ioctl(fd(), KVM_RUN, 0) < 0) {
    if (errno == EINTR || errno == EAGAIN) {
      exit.kind = VcpuExit::Kind::Interrupted;
      return exit;
    }
    return Error::from_errno(fmt::format("KVM_RUN on vCPU {}", id_));
  }
  kvm_run* r = run_area();
  exit.raw_reason = r->exit_reason;
  auto* page = reinterpret_cast<uint8_t*>(r);
  switch (r->exit_reason) {
    case KVM_EXIT_IO: {
      exit.kind = VcpuExit::Kind::Io;
      exit.io.port = r->io.port;
      exit.io.size = r->io.size;
      exit.io.is_write = r->io.direction == KVM_EXIT_IO_OUT;
      exit.io.count = r->io.count;
      // KVM places the data inside the mapped kvm_run area; bound it to that area.
      uint64_t offset = r->io.data_offset;
      uint64_t length = uint64_t{r->io.size} * r->io.count;
      if (offset > run_.size() || length > run_.size() - offset) {
        return Error(fmt::format("KVM_EXIT_IO data [{:#x}+{:#x}] outside kvm_run", offset, length));
      }
      exit.io.data = {page + offset, static_cast<size_t>(length)};
      break;
    }
    case KVM_EXIT_MMIO:
      exit.kind = VcpuExit::Kind::Mmio;
      exit.mmio.gpa = r->mmio.phys_addr;
      exit.mmio.is_write = r->mmio.is_write != 0;
      exit.mmio.data = {r->mmio.data, std::min<size_t>(r->mmio.len, sizeof r->mmio.data)};
      break;
    case KVM_EXIT_HLT:
      exit.kind = VcpuExit::Kind::Hlt;
      break;
    case KVM_EXIT_SHUTDOWN:
      exit.kind = VcpuExit::Kind::Shutdown;
      exit.regs = dump_registers();
      break;
    case KVM_EXIT_INTERNAL_ERROR:
      exit.kind = VcpuExit::Kind::InternalError;
      exit.internal_suberror = r->internal.suberror;
      exit.regs = dump_registers();
      break;
    case KVM_EXIT_FAIL_ENTRY:
      exit.kind = VcpuExit::Kind::FailEntry;
      exit.fail_entry_reason = r->fail_entry.hardware_entry_failure_reason;
      exit.regs = dump_registers();
      break;
    case KVM_EXIT_SYSTEM_EVENT:
      exit.kind = VcpuExit::Kind::SystemEvent;
      exit.system_event_type = r->system_event.type;
      break;
    case KVM_EXIT_INTR:
      exit.kind = VcpuExit::Kind::Interrupted;
      break;
    case KVM_EXIT_DEBUG:
      exit.kind = VcpuExit::Kind::Debug;
      break;
    default:
      exit.kind = VcpuExit::Kind::Unknown;
      break;
  }
  return exit;
}

std::string VcpuExit::describe() const {
  switch (kind) {
    case Kind::Io:
      return fmt::format("port I/O {} {:#x} ({} bytes x {})", io.is_write ? "write" : "read", io.port,
                         io.size, io.count);
    case Kind::Mmio:
      return fmt::format("MMIO {} at {:#x} ({} bytes)", mmio.is_write ? "write" : "read", mmio.gpa,
                         mmio.data.size());
    case Kind::Hlt: return "HLT (KVM_EXIT_HLT)";
    case Kind::Shutdown: return "triple fault (KVM_EXIT_SHUTDOWN)";
    case Kind::InternalError:
      return fmt::format("KVM internal error, suberror {}{}", internal_suberror,
                         internal_suberror == KVM_INTERNAL_ERROR_EMULATION ? " (emulation failure)" : "");
    case Kind::FailEntry:
      return fmt::format("VM entry failed, hardware reason {:#x}", fail_entry_reason);
    case Kind::SystemEvent: return fmt::format("system event {}", system_event_type);
    case Kind::Interrupted: return "interrupted";
    case Kind::Debug: return "debug exit";
    case Kind::Unknown: return fmt::format("unhandled exit reason {}", raw_reason);
  }
  return "?";
}

std::string RegisterDump::format() const {
  if (!valid) return "(registers unavailable)";
  const kvm_regs& r = regs;
  const kvm_sregs& s = sregs;
  // KVM on SVM reinitialises the vCPU at a shutdown intercept (the VMCB is undefined
  // after one; Linux arch/x86/kvm/svm/svm.c, shutdown_interception): what it then reports
  // is the reset state.
  const bool reset_state = r.rip == 0xfff0 && s.cs.selector == 0xf000 && (s.cr0 & 1) == 0;
  const char* note = reset_state ? "(the faulting registers are lost: this KVM reset the vCPU; below is its reset state)\n"
                                 : "";
  return note + fmt::format(
      "RIP={:#018x} RSP={:#018x} RFLAGS={:#x}\n"
      "RAX={:#018x} RBX={:#018x} RCX={:#018x} RDX={:#018x}\n"
      "RSI={:#018x} RDI={:#018x} RBP={:#018x}\n"
      "R8 ={:#018x} R9 ={:#018x} R10={:#018x} R11={:#018x}\n"
      "R12={:#018x} R13={:#018x} R14={:#018x} R15={:#018x}\n"
      "CS={:#06x} (DPL {}, L {}) SS={:#06x} CR0={:#x} CR2={:#x} CR3={:#x} CR4={:#x} EFER={:#x}",
      r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.r8, r.r9, r.r10,
      r.r11, r.r12, r.r13, r.r14, r.r15, s.cs.selector, s.cs.dpl, s.cs.l, s.ss.selector, s.cr0,
      s.cr2, s.cr3, s.cr4, s.efer);
}

}  // namespace vmm
