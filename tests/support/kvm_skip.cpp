#include "kvm_skip.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace vmm::test {

std::shared_ptr<const Kvm> kvm_or_skip() {
  static std::shared_ptr<const Kvm> kvm = [] {
    auto k = Kvm::open();
    if (!k) {
      std::fprintf(stderr, "SKIPPED: these tests need KVM: %s\n", k.error().message().c_str());
      std::fflush(stderr);
      std::_Exit(77);
    }
    return *k;
  }();
  return kvm;
}

void require_root_or_skip(const char* why) {
  if (::geteuid() != 0) {
    std::fprintf(stderr, "SKIPPED: %s needs root\n", why);
    std::fflush(stderr);
    std::_Exit(77);
  }
}

std::string guest_path(const std::string& name) { return std::string(VMM_GUEST_DIR) + "/" + name; }

}  // namespace vmm::test
