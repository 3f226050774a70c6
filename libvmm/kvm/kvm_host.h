// Detection of the KVM flavour and the hypervisor under the host (vmm::KvmHost).
#pragma once

#include "vmm/kvm.h"

namespace vmm {

// The flavour from the loaded module (/sys/module/kvm_{intel,amd,pvm}); without sysfs,
// from the vendor in KVM's supported CPUID (Intel: VMX, AMD or Hygon: SVM).
KvmHost detect_kvm_host(std::span<const kvm_cpuid_entry2> supported_cpuid);

}  // namespace vmm
