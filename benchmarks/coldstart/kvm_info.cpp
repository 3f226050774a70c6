#include "kvm_info.h"

#include <algorithm>

#include "../support/kvm_report.h"

namespace coldstart {

KvmInfo detect_kvm() {
  auto kvm = vmm::Kvm::open();
  if (!kvm) return {std::nullopt, kvm.error().message()};
  return {(*kvm)->host(), {}};
}

std::string kvm_header(const KvmInfo& k) {
  return k.host ? vmm::bench::kvm_header(*k.host) : "KVM: " + k.describe() + "\n";
}

nlohmann::json kvm_json(const KvmInfo& k) {
  return k.host ? vmm::bench::kvm_json(*k.host) : nlohmann::json{{"describe", k.describe()}};
}

std::string kvm_title_lines(const KvmInfo& k) {
  std::string line = "KVM: " + k.describe();
  std::replace(line.begin(), line.end(), '"', '\'');
  std::replace(line.begin(), line.end(), '\\', '/');
  std::string lines = "\\n" + line;
  if (k.emulated()) lines += "\\nALL TIMES EMULATED (QEMU-TCG): not libvmm's speed";
  return lines;
}

}  // namespace coldstart
