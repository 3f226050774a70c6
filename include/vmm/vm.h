// Vm: one KVM virtual machine (the fd of KVM_CREATE_VM) and what is configured on it.
// Move-only; closing it destroys the VM.
#pragma once

#include <cstdint>
#include <memory>

#include "vmm/kvm.h"
#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace vmm {

class Vcpu;

class Vm {
 public:
  static Result<Vm> create(std::shared_ptr<const Kvm> kvm);

  int fd() const { return fd_.get(); }
  const Kvm& kvm() const { return *kvm_; }
  const std::shared_ptr<const Kvm>& kvm_ptr() const { return kvm_; }

  // KVM_SET_USER_MEMORY_REGION. flags: KVM_MEM_READONLY etc.
  Result<void> set_memory_region(uint32_t slot, uint64_t gpa, uint64_t size, void* host,
                                 uint32_t flags = 0);
  // KVM_CREATE_VCPU with the given id; the vCPU is ready for register setup.
  Result<Vcpu> create_vcpu(uint32_t id);

  // Interrupt controllers (standard guests). In-kernel: PIC + IOAPIC + LAPIC.
  Result<void> create_irqchip();
  // Split irqchip: LAPIC in the kernel, IOAPIC/PIC in userspace (routes `ioapic_pins`).
  Result<void> enable_split_irqchip(uint32_t ioapic_pins);
  Result<void> create_pit2();
  Result<void> set_irq_line(uint32_t irq, bool level);
  // eventfd plumbing: `fd` raises GSI `gsi` (irqfd); writes to [addr, addr+len) signal
  // `fd` (ioeventfd), optionally only for `datamatch`.
  Result<void> add_irqfd(int fd, uint32_t gsi);
  Result<void> add_ioeventfd(int fd, uint64_t addr, uint32_t len, bool pio,
                             const uint64_t* datamatch = nullptr);
  Result<void> enable_cap(uint32_t cap, uint64_t arg0 = 0);

 private:
  Vm(UniqueFd fd, std::shared_ptr<const Kvm> kvm) : fd_(std::move(fd)), kvm_(std::move(kvm)) {}
  UniqueFd fd_;
  std::shared_ptr<const Kvm> kvm_;
};

}  // namespace vmm
