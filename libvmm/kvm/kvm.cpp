#include "vmm/kvm.h"

#include <fcntl.h>

#include <algorithm>

#include <fmt/format.h>

#include "kvm/ioctl.h"
#include "kvm/kvm_host.h"
#include "kvm/uapi.h"

namespace vmm {
namespace {

constexpr int kKvmApiVersion = 12;
constexpr int kMaxCpuidEntries = 256;

struct Required {
  unsigned long cap;
  const char* name;
};
constexpr Required kRequired[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
    {KVM_CAP_GET_TSC_KHZ, "KVM_CAP_GET_TSC_KHZ"},
    {KVM_CAP_NR_MEMSLOTS, "KVM_CAP_NR_MEMSLOTS"},
};

}  // namespace

int Kvm::check_extension(unsigned long cap) const {
  int r = kvm_ioctl(fd_.get(), KVM_CHECK_EXTENSION, cap);
  return r < 0 ? 0 : r;
}

Result<void> Kvm::require(bool present, const char* name) {
  if (!present) return Error(fmt::format("KVM capability {} is not available on this host", name));
  return {};
}

Result<std::shared_ptr<const Kvm>> Kvm::open(const char* path) {
  std::shared_ptr<Kvm> kvm(new Kvm());
  int fd = ::open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return Error::from_errno(fmt::format("open {}", path));
  kvm->fd_.reset(fd);

  int version = kvm_ioctl(fd, KVM_GET_API_VERSION, 0);
  if (version != kKvmApiVersion) {
    return Error(fmt::format("{}: KVM API version {} (libvmm needs {})", path, version, kKvmApiVersion));
  }
  for (const Required& r : kRequired) {
    if (kvm->check_extension(r.cap) <= 0) VMM_TRY(require(false, r.name));
  }

  KvmCapabilities& c = kvm->caps_;
  c.max_memslots = kvm->check_extension(KVM_CAP_NR_MEMSLOTS);
  c.max_vcpus = kvm->check_extension(KVM_CAP_MAX_VCPUS);
  if (c.max_vcpus <= 0) c.max_vcpus = kvm->check_extension(KVM_CAP_NR_VCPUS);
  c.irqchip = kvm->check_extension(KVM_CAP_IRQCHIP) > 0;
  c.split_irqchip = kvm->check_extension(KVM_CAP_SPLIT_IRQCHIP) > 0;
  c.pit2 = kvm->check_extension(KVM_CAP_PIT2) > 0;
  c.ioeventfd = kvm->check_extension(KVM_CAP_IOEVENTFD) > 0;
  c.irqfd = kvm->check_extension(KVM_CAP_IRQFD) > 0;
  c.readonly_mem = kvm->check_extension(KVM_CAP_READONLY_MEM) > 0;
  c.xsave = kvm->check_extension(KVM_CAP_XSAVE) > 0;
  c.xcrs = kvm->check_extension(KVM_CAP_XCRS) > 0;
  c.sync_regs = kvm->check_extension(KVM_CAP_SYNC_REGS) > 0;
  c.tsc_deadline = kvm->check_extension(KVM_CAP_TSC_DEADLINE_TIMER) > 0;
  c.x2apic_api = kvm->check_extension(KVM_CAP_X2APIC_API) > 0;
  c.vcpu_mmap_size = kvm_ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (c.vcpu_mmap_size < static_cast<int>(sizeof(kvm_run))) {
    return Error::from_errno(fmt::format("{}: KVM_GET_VCPU_MMAP_SIZE", path));
  }

  // KVM_GET_SUPPORTED_CPUID: a header followed by a flexible array of entries.
  struct {
    kvm_uapi::Cpuid2Header header;
    kvm_cpuid_entry2 entries[kMaxCpuidEntries];
  } cpuid{};
  cpuid.header.nent = kMaxCpuidEntries;
  if (kvm_ioctl(fd, kvm_uapi::kGetSupportedCpuid, &cpuid) < 0) {
    return Error::from_errno(fmt::format("{}: KVM_GET_SUPPORTED_CPUID", path));
  }
  kvm->supported_cpuid_.assign(cpuid.entries, cpuid.entries + std::min<uint32_t>(cpuid.header.nent, kMaxCpuidEntries));
  kvm->host_ = detect_kvm_host(kvm->supported_cpuid_);
  return std::shared_ptr<const Kvm>(std::move(kvm));
}

Result<UniqueFd> Kvm::create_vm_fd() const {
  int fd = kvm_ioctl(fd_.get(), KVM_CREATE_VM, 0);
  if (fd < 0) return Error::from_errno("KVM_CREATE_VM");
  return UniqueFd(fd);
}

}  // namespace vmm
