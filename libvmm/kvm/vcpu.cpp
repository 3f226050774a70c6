#include "vmm/vcpu.h"

#include <sys/mman.h>

#include <atomic>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "kvm/ioctl.h"
#include "kvm/uapi.h"

namespace vmm {

Result<Vcpu> Vcpu::from_fd(UniqueFd fd, uint32_t id, int mmap_size) {
  Mapping run = VMM_TRY(Mapping::map("kvm_run", static_cast<size_t>(mmap_size), PROT_READ | PROT_WRITE,
                                     MAP_SHARED, fd.get(), 0));
  // The kvm_run page must not follow a fork into the child.
  ::madvise(run.get(), run.size(), MADV_DONTFORK);
  return Vcpu(std::move(fd), std::move(run), id);
}

Result<kvm_regs> Vcpu::get_regs() const {
  kvm_regs regs;
  if (kvm_ioctl(fd(), KVM_GET_REGS, &regs) < 0) return Error::from_errno("KVM_GET_REGS");
  return regs;
}

Result<void> Vcpu::set_regs(const kvm_regs& regs) {
  if (kvm_ioctl(fd(), KVM_SET_REGS, &regs) < 0) return Error::from_errno("KVM_SET_REGS");
  return {};
}

Result<kvm_sregs> Vcpu::get_sregs() const {
  kvm_sregs sregs;
  if (kvm_ioctl(fd(), KVM_GET_SREGS, &sregs) < 0) return Error::from_errno("KVM_GET_SREGS");
  return sregs;
}

Result<void> Vcpu::set_sregs(const kvm_sregs& sregs) {
  if (kvm_ioctl(fd(), KVM_SET_SREGS, &sregs) < 0) return Error::from_errno("KVM_SET_SREGS");
  return {};
}

Result<void> Vcpu::set_cpuid(std::span<const kvm_cpuid_entry2> entries) {
  std::vector<uint8_t> buffer(sizeof(kvm_uapi::Cpuid2Header) + entries.size_bytes());
  kvm_uapi::Cpuid2Header header{static_cast<uint32_t>(entries.size()), 0};
  std::memcpy(buffer.data(), &header, sizeof header);
  std::memcpy(buffer.data() + sizeof header, entries.data(), entries.size_bytes());
  if (kvm_ioctl(fd(), kvm_uapi::kSetCpuid2, buffer.data()) < 0) return Error::from_errno("KVM_SET_CPUID2");
  return {};
}

Result<void> Vcpu::set_msrs(std::span<const kvm_msr_entry> msrs) {
  std::vector<uint8_t> buffer(sizeof(kvm_uapi::MsrsHeader) + msrs.size_bytes());
  kvm_uapi::MsrsHeader header{static_cast<uint32_t>(msrs.size()), 0};
  std::memcpy(buffer.data(), &header, sizeof header);
  std::memcpy(buffer.data() + sizeof header, msrs.data(), msrs.size_bytes());
  int r = kvm_ioctl(fd(), kvm_uapi::kSetMsrs, buffer.data());
  if (r < 0) return Error::from_errno("KVM_SET_MSRS");
  if (static_cast<size_t>(r) != msrs.size()) {
    return Error(fmt::format("KVM_SET_MSRS: MSR {:#x} was rejected", msrs[static_cast<size_t>(r)].index));
  }
  return {};
}

Result<uint64_t> Vcpu::get_msr(uint32_t index) const {
  struct {
    kvm_uapi::MsrsHeader header;
    kvm_msr_entry entry;
  } request{};
  request.header.nmsrs = 1;
  request.entry.index = index;
  if (kvm_ioctl(fd(), kvm_uapi::kGetMsrs, &request) != 1) {
    return Error::from_errno(fmt::format("KVM_GET_MSRS {:#x}", index));
  }
  return uint64_t{request.entry.data};
}

Result<kvm_fpu> Vcpu::get_fpu() const {
  kvm_fpu fpu;
  if (kvm_ioctl(fd(), KVM_GET_FPU, &fpu) < 0) return Error::from_errno("KVM_GET_FPU");
  return fpu;
}

Result<void> Vcpu::set_fpu(const kvm_fpu& fpu) {
  if (kvm_ioctl(fd(), KVM_SET_FPU, &fpu) < 0) return Error::from_errno("KVM_SET_FPU");
  return {};
}

Result<void> Vcpu::set_xcr0(uint64_t xcr0) {
  kvm_xcrs xcrs{};
  xcrs.nr_xcrs = 1;
  xcrs.xcrs[0].xcr = 0;
  xcrs.xcrs[0].value = xcr0;
  if (kvm_ioctl(fd(), KVM_SET_XCRS, &xcrs) < 0) return Error::from_errno(fmt::format("KVM_SET_XCRS xcr0={:#x}", xcr0));
  return {};
}

Result<void> Vcpu::set_lapic(const kvm_lapic_state& state) {
  if (kvm_ioctl(fd(), KVM_SET_LAPIC, &state) < 0) return Error::from_errno("KVM_SET_LAPIC");
  return {};
}

Result<kvm_lapic_state> Vcpu::get_lapic() const {
  kvm_lapic_state state;
  if (kvm_ioctl(fd(), KVM_GET_LAPIC, &state) < 0) return Error::from_errno("KVM_GET_LAPIC");
  return state;
}

Result<void> Vcpu::set_mp_state(uint32_t state) {
  kvm_mp_state mp{state};
  if (kvm_ioctl(fd(), KVM_SET_MP_STATE, &mp) < 0) return Error::from_errno("KVM_SET_MP_STATE");
  return {};
}

Result<uint32_t> Vcpu::tsc_khz() const {
  int khz = kvm_ioctl(fd(), KVM_GET_TSC_KHZ, 0);
  if (khz <= 0) return Error::from_errno("KVM_GET_TSC_KHZ");
  return static_cast<uint32_t>(khz);
}

Result<void> Vcpu::set_signal_mask(const sigset_t& mask) {
  // The kernel's sigset is 8 bytes on x86-64, not glibc's 128.
  struct {
    kvm_uapi::SignalMaskHeader header;
    uint8_t sigset[kvm_uapi::kKernelSigsetSize];
  } request{};
  request.header.len = kvm_uapi::kKernelSigsetSize;
  std::memcpy(request.sigset, &mask, kvm_uapi::kKernelSigsetSize);
  if (kvm_ioctl(fd(), kvm_uapi::kSetSignalMask, &request) < 0) return Error::from_errno("KVM_SET_SIGNAL_MASK");
  return {};
}

void Vcpu::kick_prepare() noexcept {
  std::atomic_ref<uint8_t>(run_area()->immediate_exit).store(1, std::memory_order_release);
}

void Vcpu::kick_clear() noexcept {
  std::atomic_ref<uint8_t>(run_area()->immediate_exit).store(0, std::memory_order_relaxed);
}

RegisterDump Vcpu::dump_registers() const {
  RegisterDump dump;
  auto regs = get_regs();
  auto sregs = get_sregs();
  if (regs && sregs) {
    dump.regs = *regs;
    dump.sregs = *sregs;
    dump.valid = true;
  }
  return dump;
}

}  // namespace vmm
