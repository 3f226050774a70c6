// The KVM the instances run on, as vmm-coldstart's outputs name it (../support/kvm_report.h).
// The workers, vmm-run and QEMU all open this host's /dev/kvm; the harness opens it only to
// ask, and closes it again at once (before the leak check's first snapshot).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "vmm/kvm.h"

namespace coldstart {

struct KvmInfo {
  std::optional<vmm::KvmHost> host;
  std::string error;  // why /dev/kvm could not be asked, when host is empty
  std::string describe() const { return host ? host->describe() : "not detected: " + error; }
  bool emulated() const { return host && host->emulated(); }
};

KvmInfo detect_kvm();
// "KVM: ...\n" and, when emulated, the line that marks every time below it.
std::string kvm_header(const KvmInfo& k);
// {"flavour", "hypervisor", "emulated", "describe"} (only "describe" when not detected).
nlohmann::json kvm_json(const KvmInfo& k);
// The plot title's further lines, each after a gnuplot "\n": the KVM and, when emulated,
// the mark; kept free of quotes and backslashes.
std::string kvm_title_lines(const KvmInfo& k);

}  // namespace coldstart
