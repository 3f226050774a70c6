// One interrupt line of a platform device: a GSI of the VM's interrupt controller
// (in-kernel PIC + IOAPIC, or the routes of the split-mode IOAPIC), driven with
// KVM_IRQ_LINE. A default-constructed line is disconnected (irqchip none): set() does
// nothing. Not thread-safe: the owning device serialises calls under its own lock.
#pragma once

#include <cstdint>

namespace vmm {

class Vm;

class IrqLine {
 public:
  IrqLine() = default;
  IrqLine(Vm& vm, uint32_t gsi) : vm_(&vm), gsi_(gsi) {}

  // Drives the line to `level`; talks to KVM only when the level changes, so a device
  // may call it after every register access. An edge-triggered IOAPIC pin (ISA lines)
  // fires on the rising edge.
  void set(bool level);
  bool connected() const { return vm_ != nullptr; }
  uint32_t gsi() const { return gsi_; }

 private:
  Vm* vm_ = nullptr;
  uint32_t gsi_ = 0;
  bool level_ = false;
};

}  // namespace vmm
