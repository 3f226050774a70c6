#include "kvm/kvm_host.h"

#include <cpuid.h>
#include <sys/stat.h>

#include <cstring>

namespace vmm {
namespace {

bool module_loaded(const char* name) {
  struct stat st;
  return ::stat(name, &st) == 0;
}

std::string register_string(uint32_t a, uint32_t b, uint32_t c) {
  char s[13] = {};
  std::memcpy(s, &a, 4);
  std::memcpy(s + 4, &b, 4);
  std::memcpy(s + 8, &c, 4);
  return std::string(s);  // stops at the first NUL ("KVMKVMKVM\0\0\0")
}

// The host CPU's hypervisor signature: CPUID.1:ECX bit 31, then leaf 0x40000000.
std::string host_hypervisor() {
  uint32_t a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0 || (c & (1u << 31)) == 0) return {};
  __cpuid(0x40000000, a, b, c, d);
  std::string s = register_string(b, c, d);
  return s.empty() ? "an unnamed hypervisor" : s;
}

KvmFlavour flavour_from_cpuid(std::span<const kvm_cpuid_entry2> cpuid) {
  for (const kvm_cpuid_entry2& e : cpuid) {
    if (e.function != 0) continue;
    const std::string vendor = register_string(e.ebx, e.edx, e.ecx);
    if (vendor == "GenuineIntel") return KvmFlavour::Vmx;
    if (vendor == "AuthenticAMD" || vendor == "HygonGenuine") return KvmFlavour::Svm;
  }
  return KvmFlavour::Unknown;
}

const char* module_name(KvmFlavour f) {
  switch (f) {
    case KvmFlavour::Vmx: return "kvm_intel";
    case KvmFlavour::Svm: return "kvm_amd";
    case KvmFlavour::Pvm: return "kvm_pvm";
    case KvmFlavour::Unknown: break;
  }
  return "module unknown";
}

}  // namespace

const char* flavour_name(KvmFlavour flavour) {
  switch (flavour) {
    case KvmFlavour::Vmx: return "VMX";
    case KvmFlavour::Svm: return "SVM";
    case KvmFlavour::Pvm: return "PVM";
    case KvmFlavour::Unknown: break;
  }
  return "unknown";
}

std::string KvmHost::describe() const {
  std::string s = std::string(flavour_name(flavour)) + " (" + module_name(flavour) + ")";
  if (hypervisor.empty()) return s + " on bare metal";
  if (emulated()) return s + " inside QEMU-TCG: emulated, not libvmm's speed";
  if (hypervisor == "KVMKVMKVM") return s + " nested in KVM";
  return s + " nested in " + hypervisor;
}

KvmHost detect_kvm_host(std::span<const kvm_cpuid_entry2> supported_cpuid) {
  KvmHost h;
  // kvm_pvm first: a host with PVM may also have kvm_intel loaded without VMX to use.
  if (module_loaded("/sys/module/kvm_pvm")) {
    h.flavour = KvmFlavour::Pvm;
  } else if (module_loaded("/sys/module/kvm_intel")) {
    h.flavour = KvmFlavour::Vmx;
  } else if (module_loaded("/sys/module/kvm_amd")) {
    h.flavour = KvmFlavour::Svm;
  } else {
    h.flavour = flavour_from_cpuid(supported_cpuid);
  }
  h.hypervisor = host_hypervisor();
  return h;
}

}  // namespace vmm
