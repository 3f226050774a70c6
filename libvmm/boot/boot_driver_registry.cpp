#include <fmt/format.h>

#include "boot/boot_protocol.h"
#include "boot/lean/lean_protocol.h"
#include "boot/linux/linux64_protocol.h"

namespace vmm {

Result<const BootDriver*> boot_driver_for(BootProtocol protocol) {
  // Drivers are stateless: constant objects shared by every image and instance.
  static const lean::LeanBootDriver kLean;
  static const linux64::Linux64BootDriver kLinux64;
  switch (protocol) {
    case BootProtocol::Lean: return &kLean;
    case BootProtocol::Linux64: return &kLinux64;
    default: break;
  }
  return Error(fmt::format("boot protocol '{}' is not supported by this libvmm", to_string(protocol)));
}

}  // namespace vmm
