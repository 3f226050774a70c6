#include "vmm/vm.h"

#include <fmt/format.h>

#include "kvm/ioctl.h"
#include "vmm/vcpu.h"

namespace vmm {

Result<Vm> Vm::create(std::shared_ptr<const Kvm> kvm) {
  UniqueFd fd = VMM_TRY(kvm->create_vm_fd());
  return Vm(std::move(fd), std::move(kvm));
}

Result<void> Vm::set_memory_region(uint32_t slot, uint64_t gpa, uint64_t size, void* host,
                                   uint32_t flags) {
  kvm_userspace_memory_region region{};
  region.slot = slot;
  region.flags = flags;
  region.guest_phys_addr = gpa;
  region.memory_size = size;
  region.userspace_addr = reinterpret_cast<uint64_t>(host);
  if (kvm_ioctl(fd(), KVM_SET_USER_MEMORY_REGION, &region) < 0) {
    return Error::from_errno(
        fmt::format("KVM_SET_USER_MEMORY_REGION slot {} [{:#x}, {:#x})", slot, gpa, gpa + size));
  }
  return {};
}

Result<Vcpu> Vm::create_vcpu(uint32_t id) {
  int fd = kvm_ioctl(this->fd(), KVM_CREATE_VCPU, static_cast<unsigned long>(id));
  if (fd < 0) return Error::from_errno(fmt::format("KVM_CREATE_VCPU {}", id));
  return Vcpu::from_fd(UniqueFd(fd), id, kvm_->caps().vcpu_mmap_size);
}

Result<void> Vm::create_irqchip() {
  VMM_TRY(Kvm::require(kvm_->caps().irqchip, "KVM_CAP_IRQCHIP"));
  if (kvm_ioctl(fd(), KVM_CREATE_IRQCHIP, 0) < 0) return Error::from_errno("KVM_CREATE_IRQCHIP");
  return {};
}

Result<void> Vm::enable_split_irqchip(uint32_t ioapic_pins) {
  VMM_TRY(Kvm::require(kvm_->caps().split_irqchip, "KVM_CAP_SPLIT_IRQCHIP"));
  return enable_cap(KVM_CAP_SPLIT_IRQCHIP, ioapic_pins).with_context("split irqchip");
}

Result<void> Vm::create_pit2() {
  VMM_TRY(Kvm::require(kvm_->caps().pit2, "KVM_CAP_PIT2"));
  kvm_pit_config config{};
  config.flags = KVM_PIT_SPEAKER_DUMMY;
  if (kvm_ioctl(fd(), KVM_CREATE_PIT2, &config) < 0) return Error::from_errno("KVM_CREATE_PIT2");
  return {};
}

Result<void> Vm::set_irq_line(uint32_t irq, bool level) {
  kvm_irq_level line{};
  line.irq = irq;
  line.level = level ? 1 : 0;
  if (kvm_ioctl(fd(), KVM_IRQ_LINE, &line) < 0) return Error::from_errno(fmt::format("KVM_IRQ_LINE {}", irq));
  return {};
}

Result<void> Vm::add_irqfd(int event_fd, uint32_t gsi) {
  VMM_TRY(Kvm::require(kvm_->caps().irqfd, "KVM_CAP_IRQFD"));
  kvm_irqfd irqfd{};
  irqfd.fd = static_cast<uint32_t>(event_fd);
  irqfd.gsi = gsi;
  if (kvm_ioctl(fd(), KVM_IRQFD, &irqfd) < 0) return Error::from_errno(fmt::format("KVM_IRQFD gsi {}", gsi));
  return {};
}

Result<void> Vm::add_ioeventfd(int event_fd, uint64_t addr, uint32_t len, bool pio,
                               const uint64_t* datamatch) {
  VMM_TRY(Kvm::require(kvm_->caps().ioeventfd, "KVM_CAP_IOEVENTFD"));
  kvm_ioeventfd io{};
  io.addr = addr;
  io.len = len;
  io.fd = event_fd;
  if (pio) io.flags |= KVM_IOEVENTFD_FLAG_PIO;
  if (datamatch != nullptr) {
    io.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
    io.datamatch = *datamatch;
  }
  if (kvm_ioctl(fd(), KVM_IOEVENTFD, &io) < 0) {
    return Error::from_errno(fmt::format("KVM_IOEVENTFD at {:#x}", addr));
  }
  return {};
}

Result<void> Vm::enable_cap(uint32_t cap, uint64_t arg0) {
  kvm_enable_cap c{};
  c.cap = cap;
  c.args[0] = arg0;
  if (kvm_ioctl(fd(), KVM_ENABLE_CAP, &c) < 0) return Error::from_errno(fmt::format("KVM_ENABLE_CAP {}", cap));
  return {};
}

}  // namespace vmm
