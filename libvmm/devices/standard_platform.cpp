#include "devices/standard_platform.h"

#include <linux/kvm.h>

#include <fmt/format.h>

#include "arch/x86_64/layout.h"
#include "devices/acpi_pm.h"
#include "devices/cmos_rtc.h"
#include "devices/guest_signals.h"
#include "devices/i8042.h"
#include "devices/ioapic.h"
#include "devices/kernel_irqchip.h"
#include "devices/serial_16550.h"
#include "kvm/ioctl.h"

namespace vmm {
namespace {

using namespace x86::standard;

constexpr uint32_t kIrqKeyboard = 1;
constexpr uint16_t kSerialPorts = 8;

Result<bool> create_interrupt_controllers(DeviceSet& devices, Vm& vm, const PlatformConfig& config,
                                          uint32_t vcpu_count) {
  switch (config.irqchip) {
    case IrqchipMode::Kernel: {
      auto chips = VMM_TRY(KernelIrqchip::create(vm, config.pit));
      VMM_TRY(devices.add_pio(kPortPicMaster, KernelIrqchip::kPortCount, std::move(chips)));
      return true;
    }
    case IrqchipMode::Split:
      VMM_TRY(vm.enable_split_irqchip(Ioapic::kPins));
      VMM_TRY(devices.add_mmio(kIoapic, Ioapic::kMmioSize,
                               std::make_shared<Ioapic>(vm, static_cast<uint8_t>(vcpu_count))));
      return true;
    case IrqchipMode::None:
      if (vcpu_count > 1) {
        return Error(fmt::format("{} vCPUs need an interrupt controller (irqchip kernel or split): secondary CPUs "
                                 "are started with INIT/SIPI through their local APIC", vcpu_count));
      }
      return false;
  }
  return Error("unknown irqchip mode");
}

}  // namespace

Result<bool> add_standard_platform(DeviceSet& devices, DeviceHost& host, Vm& vm, const PlatformConfig& config,
                                   uint32_t vcpu_count) {
  // Intel VMX needs three pages for its real-mode TSS when it cannot run real mode
  // natively (AP start-up trampolines run in real mode); other KVMs accept and ignore it.
  if (kvm_ioctl(vm.fd(), KVM_SET_TSS_ADDR, kKvmTss) < 0 && errno != ENOTTY && errno != EINVAL) {
    return Error::from_errno("KVM_SET_TSS_ADDR");
  }
  const bool irqchip = VMM_TRY(create_interrupt_controllers(devices, vm, config, vcpu_count));
  auto line = [&](uint32_t gsi) { return irqchip ? IrqLine(vm, gsi) : IrqLine(); };

  auto serial = std::make_shared<Serial16550>(host, line(kIrqCom1));
  if (config.serial_input_fd >= 0) VMM_TRY(serial->attach_input(config.serial_input_fd));
  VMM_TRY(devices.add_pio(kPortCom1, kSerialPorts, serial));
  VMM_TRY(devices.add_pio(kPortI8042, I8042::kPortCount, std::make_shared<I8042>(host, line(kIrqKeyboard))));
  VMM_TRY(devices.add_pio(kPortRtc, CmosRtc::kPortCount, std::make_shared<CmosRtc>()));
  VMM_TRY(devices.add_pio(kPortAcpiPm1aEvt, AcpiPm::kPortCount, std::make_shared<AcpiPm>(host)));
  auto timer = std::make_shared<BootTimer>(host);
  VMM_TRY(devices.add_pio(kPortBootTimer, 1, timer));
  VMM_TRY(devices.add_mmio(kBootTimerMmio, kBootTimerMmioSize, timer));
  if (config.debug_exit_port) {
    VMM_TRY(devices.add_pio(kPortDebugExit, DebugExit::kPortCount, std::make_shared<DebugExit>(host)));
  }
  return irqchip;
}

}  // namespace vmm
