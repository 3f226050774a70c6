// KVM's in-kernel interrupt controllers (KVM_CREATE_IRQCHIP: two 8259 PICs, the IOAPIC,
// a LAPIC per vCPU) and optionally its i8254 PIT (KVM_CREATE_PIT2), as one object of the
// instance's DeviceSet, registered at the master PIC's ports 0x20-0x21. KVM handles those
// ports in the kernel, so the handlers here only run if it does not (they read as an
// empty bus).
//
// Why an object: closing a VM that has these costs 13-25 ms on our hosts (SRCU grace
// periods for the irqchip's I/O-bus devices and routing, and stopping the PIT's kernel
// worker), where a VM without them closes in well under a millisecond
// (docs/standard-guests.md, measurements). Devices are destroyed after the vCPUs and
// before the VM fd, so the destructor hands the VM's last reference to a short-lived
// detached thread: it keeps a duplicate of the VM fd, atomically points the Vm's own fd
// number at /dev/null (which the Vm then closes cheaply), and lets the thread close the
// duplicate. Whoever destroys the Instance does not wait for the kernel.
#pragma once

#include <memory>

#include "devices/device.h"
#include "vmm/result.h"

namespace vmm {

class Vm;

class KernelIrqchip final : public PioDevice {
 public:
  static constexpr uint16_t kPortCount = 2;

  // Creates the irqchip, and the PIT when `pit`, in `vm`, which must outlive this object
  // and have no vCPU yet.
  static Result<std::shared_ptr<KernelIrqchip>> create(Vm& vm, bool pit);
  // Defers the VM's final close to a background thread (see above); if that cannot be
  // arranged, the VM closes synchronously later, as usual.
  ~KernelIrqchip() override;

  std::string_view name() const override { return "kvm-irqchip"; }
  void pio_read(uint16_t port, std::span<uint8_t> data) override;
  void pio_write(uint16_t, std::span<const uint8_t>) override {}

 private:
  explicit KernelIrqchip(Vm& vm) : vm_(vm) {}
  Vm& vm_;
};

}  // namespace vmm
