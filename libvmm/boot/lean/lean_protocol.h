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
  Result<EntryArgs> write_boot_params(const GuestMemory& mem, const ImageInternals& image, const BootTemplate& tmpl,
                                      const MachineLayout& layout, const BootParams& params) const override;
  Result<void> setup_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl, const MachineLayout& layout,
                          const EntryArgs& entry) const override;
  size_t max_cmdline() const override;

  // RAM size, vCPU count and image fit.
  static Result<void> check_layout(const ImageInternals& image, const MachineLayout& layout);
};

// Per-instance boot data at the top of RAM: vmm_boot_info, the memory map, the device
// table and the command line, packed; the initial stack starts right below it, in the
// same page, so a small guest touches one page for both.
struct BootDataLayout {
  uint64_t base = 0;  // boot info; the initial stack top
  uint64_t memmap = 0;
  uint64_t devices = 0;
  uint64_t cmdline = 0;
};
BootDataLayout boot_data_layout(uint64_t ram_size, size_t memmap_count, size_t device_count, size_t cmdline_length);

// The boot memory map (vmm_boot_info.memmap), sorted by address. boot_data: where the
// boot data block starts (see boot_data_layout).
std::vector<vmm_mem_region> memory_map(const ElfFile& elf, uint64_t ram_size, size_t device_count,
                                       uint64_t boot_data);
inline constexpr size_t kMemmapEntries = 7;  // what memory_map() returns at most

// Whether TR must be loaded busy on this KVM (docs/guest-abi.md, "Port access").
bool tr_must_be_busy(const Kvm& kvm);

// 64-bit CPL3 entry state for vCPU `vcpu.id()`: at rip with rsp and rdi, the template's
// page tables, GDT/TSS/IDT, SSE (and XSAVE where offered) enabled.
Result<void> setup_lean_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl, uint32_t vcpu_count,
                             uint64_t rip, uint64_t rsp, uint64_t rdi);

}  // namespace vmm::lean
