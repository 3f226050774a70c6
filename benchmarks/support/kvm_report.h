// The KVM a benchmark ran on, as its reports name it: one line for text summaries and
// plot titles, an object for JSON, and the mark every time figure gets when the KVM is
// emulated (inside QEMU-TCG, times say nothing about libvmm's speed; counts still do).
#pragma once

#include <nlohmann/json.hpp>

#include "vmm/kvm.h"

namespace vmm::bench {

// The header line that marks every time below it in a text summary.
inline constexpr const char* kEmulatedTimes = "all times below: emulated (QEMU-TCG): not libvmm's speed";

// {"flavour": "PVM", "hypervisor": "KVMKVMKVM", "emulated": false, "describe": "..."}
inline nlohmann::json kvm_json(const KvmHost& host) {
  return {{"flavour", flavour_name(host.flavour)},
          {"hypervisor", host.hypervisor},
          {"emulated", host.emulated()},
          {"describe", host.describe()}};
}

// "KVM: <describe>", and on a second line kEmulatedTimes when the KVM is emulated.
inline std::string kvm_header(const KvmHost& host) {
  std::string s = "KVM: " + host.describe() + "\n";
  if (host.emulated()) s += std::string(kEmulatedTimes) + "\n";
  return s;
}

}  // namespace vmm::bench
