#include "devices/irq_line.h"

#include "vmm/vm.h"

namespace vmm {

void IrqLine::set(bool level) {
  if (vm_ == nullptr || level == level_) return;
  level_ = level;
  // KVM_IRQ_LINE fails only for a GSI the VM does not have: a host-side wiring bug that
  // the guest cannot cause; the interrupt is then lost, the VMM carries on.
  (void)vm_->set_irq_line(gsi_, level);
}

}  // namespace vmm
