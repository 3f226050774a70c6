// Linux x86 64-bit boot protocol (Documentation/arch/x86/boot.rst, "64-bit Boot
// Protocol"; zero-page.rst): the ELF is loaded at its physical addresses and entered at
// e_entry in 64-bit mode, CPL0, with RSI = boot_params (the zero page).
#pragma once

#include "boot/boot_protocol.h"

namespace vmm::linux64 {

class Linux64BootDriver final : public BootDriver {
 public:
  BootProtocol protocol() const override { return BootProtocol::Linux64; }
  Result<void> validate_image(const ImageInternals& image) const override;
  Result<std::shared_ptr<const BootTemplate>> build_template(const ImageInternals& image,
                                                             const MachineLayout& layout) const override;
  Result<void> write_boot_params(const GuestMemory& mem, const ImageInternals& image, const BootTemplate& tmpl,
                                 const MachineLayout& layout, const BootParams& params) const override;
  Result<void> setup_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl,
                          const MachineLayout& layout) const override;
  size_t max_cmdline() const override;
};

}  // namespace vmm::linux64
