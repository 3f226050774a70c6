// Pseudo devices through which a standard guest signals the VMM.
//
// BootTimer: Firecracker's boot-timer device (src/vmm/src/devices/pseudo/boot_timer.rs):
// a one-byte write of the magic value 123 at offset 0 means "the guest is up" and stamps
// BootTimes::boot_ready (DeviceHost::mark_boot_ready; only the first counts). Mapped at
// Firecracker's current MMIO address (the start of the MMIO gap) and at its former I/O
// port 0x3f0, so images instrumented for either report their boot time. Other writes and
// all reads are ignored (reads return zeros).
//
// DebugExit: QEMU's isa-debug-exit convention, used by test kernels and unikernels to end
// the VM with a status: writing value v (1, 2 or 4 bytes) at offset 0 ends the instance
// with ExitReason::GuestExit and status (v << 1) | 1, as QEMU's exit status would be.
#pragma once

#include "devices/device.h"
#include "devices/device_host.h"

namespace vmm {

class BootTimer final : public PioDevice, public MmioDevice {
 public:
  static constexpr uint8_t kMagic = 123;

  explicit BootTimer(DeviceHost& host) : host_(host) {}
  std::string_view name() const override { return "boot-timer"; }
  void pio_read(uint16_t, std::span<uint8_t> data) override;
  void pio_write(uint16_t port, std::span<const uint8_t> data) override;
  void mmio_read(uint64_t, std::span<uint8_t> data) override;
  void mmio_write(uint64_t offset, std::span<const uint8_t> data) override;

 private:
  void write(uint64_t offset, std::span<const uint8_t> data);
  DeviceHost& host_;
};

class DebugExit final : public PioDevice {
 public:
  static constexpr uint16_t kPortCount = 4;

  explicit DebugExit(DeviceHost& host) : host_(host) {}
  std::string_view name() const override { return "debug-exit"; }
  void pio_read(uint16_t, std::span<uint8_t> data) override;
  void pio_write(uint16_t port, std::span<const uint8_t> data) override;

 private:
  DeviceHost& host_;
};

}  // namespace vmm
