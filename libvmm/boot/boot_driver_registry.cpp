#include <fmt/format.h>

#include "boot/boot_protocol.h"
#include "boot/lean/lean_protocol.h"
#include "boot/linux/linux64_protocol.h"
#include "boot/multiboot/multiboot_protocol.h"
#include "boot/pvh/pvh_protocol.h"

namespace vmm {

Result<const BootDriver*> boot_driver_for(BootProtocol protocol) {
  // Drivers are stateless: constant objects shared by every image and instance.
  static const lean::LeanBootDriver kLean;
  static const linux64::Linux64BootDriver kLinux64;
  static const pvh::PvhBootDriver kPvh;
  static const multiboot::MultibootBootDriver kMultiboot;
  switch (protocol) {
    case BootProtocol::Lean: return &kLean;
    case BootProtocol::Linux64: return &kLinux64;
    case BootProtocol::Pvh: return &kPvh;
    case BootProtocol::Multiboot: return &kMultiboot;
    case BootProtocol::Auto: break;
  }
  return Error(fmt::format("boot protocol '{}' is not supported by this libvmm", to_string(protocol)));
}

}  // namespace vmm
