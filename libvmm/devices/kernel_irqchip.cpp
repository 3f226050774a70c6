#include "devices/kernel_irqchip.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "vmm/vm.h"

namespace vmm {

Result<std::shared_ptr<KernelIrqchip>> KernelIrqchip::create(Vm& vm, bool pit) {
  VMM_TRY(vm.create_irqchip());
  if (pit) VMM_TRY(vm.create_pit2());
  return std::shared_ptr<KernelIrqchip>(new KernelIrqchip(vm));
}

KernelIrqchip::~KernelIrqchip() {
  const int vm_fd = vm_.fd();
  const int keep = ::fcntl(vm_fd, F_DUPFD_CLOEXEC, 0);
  if (keep < 0) return;
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // dup3 replaces the file behind vm_fd atomically: the number stays valid (the Vm closes
  // it later), only the reference to the VM moves to `keep`.
  if (null < 0 || ::dup3(null, vm_fd, O_CLOEXEC) < 0) {
    if (null >= 0) ::close(null);
    ::close(keep);
    return;
  }
  ::close(null);
  try {
    std::thread([keep] { ::close(keep); }).detach();
  } catch (...) {
    ::close(keep);  // no thread: pay the teardown here
  }
}

void KernelIrqchip::pio_read(uint16_t, std::span<uint8_t> data) {
  std::fill(data.begin(), data.end(), uint8_t{0xff});
}

}  // namespace vmm
