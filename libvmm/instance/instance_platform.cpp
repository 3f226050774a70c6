// The emulated platform of standard guests (Linux 64-bit, PVH, multiboot).
#include "devices/standard_platform.h"
#include "instance/instance_impl.h"

namespace vmm {

Result<void> Instance::Impl::setup_platform() {
  const PlatformConfig& platform = config.platform;
  if (config.image->protocol() == BootProtocol::Lean) {
    // Lean guests need no platform: no interrupts, no legacy devices.
    if (!platform.initrd_path.empty() || platform.serial_input_fd >= 0) {
      return Error("an initrd and serial input are for standard guests (Linux 64-bit, PVH, multiboot); this image "
                   "uses the lean protocol");
    }
    return {};
  }
  irqchip = VMM_TRY(add_standard_platform(devices, *this, *vm_, platform, layout.vcpu_count));
  return {};
}

}  // namespace vmm
