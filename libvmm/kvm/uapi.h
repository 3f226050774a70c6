// C-layout versions of the KVM ioctls whose argument ends in a flexible array.
//
// <linux/kvm.h> (linux-libc-dev 6.1) declares those arrays with __DECLARE_FLEX_ARRAY,
// which in C++ contains an empty struct of size 1: sizeof(kvm_cpuid2) is 12 in C++ but 8
// in C, and the ioctl numbers, which encode the size, no longer match the kernel's. Use
// these headers and request numbers instead, with the entries right after the header.
#pragma once

#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cstdint>

namespace vmm::kvm_uapi {

struct Cpuid2Header {  // struct kvm_cpuid2 without entries
  uint32_t nent;
  uint32_t padding;
};
struct MsrsHeader {  // struct kvm_msrs without entries
  uint32_t nmsrs;
  uint32_t pad;
};
struct SignalMaskHeader {  // struct kvm_signal_mask without sigset
  uint32_t len;
};
struct IrqRoutingHeader {  // struct kvm_irq_routing without entries
  uint32_t nr;
  uint32_t flags;
};

inline constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, Cpuid2Header);
inline constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, Cpuid2Header);
inline constexpr unsigned long kGetMsrs = _IOWR(KVMIO, 0x88, MsrsHeader);
inline constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, MsrsHeader);
inline constexpr unsigned long kSetSignalMask = _IOW(KVMIO, 0x8b, SignalMaskHeader);
inline constexpr unsigned long kSetGsiRouting = _IOW(KVMIO, 0x6a, IrqRoutingHeader);

// The kernel's sigset for KVM_SET_SIGNAL_MASK is 8 bytes on x86-64.
inline constexpr uint32_t kKernelSigsetSize = 8;

}  // namespace vmm::kvm_uapi
