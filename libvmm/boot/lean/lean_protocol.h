// The lean ABI boot driver and the pieces the instance's hypercall handling reuses.
#pragma once

#include <vector>

#include "boot/boot_protocol.h"
#include "loader/elf.h"

namespace vmm::lean {

class LeanBootDriver final : public BootDriver {
 public:
  BootProtocol protocol() const override { return BootProtocol::Lean; }
  Result<void> validate_image(const ImageInternals& image) const override;
  Result<std::shared_ptr<const BootTemplate>> build_template(const ImageInternals& image,
                                                             const MachineLayout& layout) const override;
  Result<void> write_boot_params(const GuestMemory& mem, const ImageInternals& image, const BootTemplate& tmpl,
                                 const MachineLayout& layout, const BootParams& params) const override;
  Result<void> setup_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl,
                          const MachineLayout& layout) const override;
  size_t max_cmdline() const override;

  // RAM size, vCPU count and image fit.
  static Result<void> check_layout(const ImageInternals& image, const MachineLayout& layout);
};

// The boot memory map (vmm_boot_info.memmap), sorted by address.
std::vector<vmm_mem_region> memory_map(const ElfFile& elf, uint64_t ram_size, size_t device_count);

// 64-bit CPL3 entry state for vCPU `vcpu.id()`: at rip with rsp and rdi, the template's
// page tables, GDT/TSS/IDT, SSE (and XSAVE where offered) enabled.
Result<void> setup_lean_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl, uint32_t vcpu_count,
                             uint64_t rip, uint64_t rsp, uint64_t rdi);

}  // namespace vmm::lean
