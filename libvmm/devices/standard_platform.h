// The PC platform of standard guests, as Firecracker presents it (docs/standard-guests.md):
// interrupt controllers per PlatformConfig::irqchip (KVM's PIC + IOAPIC + PIT, or KVM's
// LAPICs with libvmm's IOAPIC, or nothing), COM1 16550 UART on IRQ 4, i8042 keyboard
// controller (reset), CMOS RTC, the ACPI PM1a registers (power-off), Firecracker's boot
// timer (MMIO and port 0x3f0) and the debug-exit port. Runs after the RAM is registered and before any vCPU exists.
#pragma once

#include <cstdint>

#include "devices/device_host.h"
#include "devices/device_set.h"
#include "vmm/platform_config.h"
#include "vmm/vm.h"

namespace vmm {

// Creates the interrupt controllers in `vm` and adds the devices to `devices`. Returns
// whether an irqchip (kernel or split) exists, i.e. whether devices may use irqfd.
Result<bool> add_standard_platform(DeviceSet& devices, DeviceHost& host, Vm& vm, const PlatformConfig& config,
                                   uint32_t vcpu_count);

}  // namespace vmm
