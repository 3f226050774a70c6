// A boot protocol turns a validated image into a bootable guest in three steps:
//  1. build_template(): once per (image, machine layout): the guest-physical contents of
//     [0, template size) that are the same for every instance (tables, segments), in a
//     sealed memfd that instances map copy-on-write;
//  2. write_boot_params(): per instance, the few bytes that differ (command line, device
//     table, entropy, clock pair), written into the instance's private copy; it says
//     where the boot vCPU's stack and boot-data pointer are;
//  3. setup_vcpu(): per vCPU, the register state the protocol promises at entry.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "vmm/guest_abi.h"
#include "vmm/guest_memory.h"
#include "vmm/image.h"
#include "vmm/kvm.h"
#include "vmm/result.h"
#include "vmm/unique_fd.h"
#include "vmm/vcpu.h"

namespace vmm {

struct ImageInternals;

// What a template depends on besides the image.
struct MachineLayout {
  uint64_t ram_size = 0;
  uint32_t vcpu_count = 1;
  auto operator<=>(const MachineLayout&) const = default;
};

// Guest-physical [0, size) prepared once; memfd is sealed against writes and resizing.
struct BootTemplate {
  UniqueFd memfd;
  uint64_t size = 0;
  // Protocol-specific values computed while building.
  uint64_t cr3 = 0;
  uint64_t entry = 0;
};

// Per-instance boot inputs.
struct BootParams {
  std::string_view cmdline;
  std::span<const vmm_boot_device> devices;
  std::array<uint8_t, 32> entropy{};
  uint64_t tsc_hz = 0;
  uint64_t guest_tsc = 0;       // guest TSC at wallclock_ns
  int64_t wallclock_ns = 0;     // CLOCK_REALTIME
  std::string_view initrd_path;  // standard protocols: initrd / boot module file ("" = none)
};

// Where the boot vCPU starts, decided when the boot data is written.
struct EntryArgs {
  uint64_t stack_pointer = 0;  // RSP at entry
  uint64_t boot_data = 0;      // guest-physical address handed to the guest in a register
};

class BootDriver {
 public:
  virtual ~BootDriver() = default;
  virtual BootProtocol protocol() const = 0;
  // Protocol-specific checks of the image alone (entry point, notes, addresses).
  virtual Result<void> validate_image(const ImageInternals& image) const = 0;
  virtual Result<std::shared_ptr<const BootTemplate>> build_template(const ImageInternals& image,
                                                                     const MachineLayout& layout) const = 0;
  virtual Result<EntryArgs> write_boot_params(const GuestMemory& mem, const ImageInternals& image,
                                              const BootTemplate& tmpl, const MachineLayout& layout,
                                              const BootParams& params) const = 0;
  virtual Result<void> setup_vcpu(Vcpu& vcpu, const Kvm& kvm, const BootTemplate& tmpl,
                                  const MachineLayout& layout, const EntryArgs& entry) const = 0;
  // Largest command line this protocol carries (bytes, without the NUL).
  virtual size_t max_cmdline() const = 0;
  // True when every vCPU runs from the start (standard guests: APs wait for INIT/SIPI in
  // the in-kernel LAPIC); false when only the boot vCPU does (lean: VMM_HC_CPU_START).
  virtual bool starts_all_vcpus() const { return false; }
  // State of vCPU 1..n-1 before their threads start (only when starts_all_vcpus()).
  virtual Result<void> setup_secondary_vcpu(Vcpu&, const Kvm&, const BootTemplate&, const MachineLayout&) const {
    return {};
  }
};

// The driver for a protocol (static lifetime), or an error naming an unsupported one.
Result<const BootDriver*> boot_driver_for(BootProtocol protocol);

}  // namespace vmm
