// The I/O APIC of split-irqchip mode (Intel 82093AA datasheet): the local APICs stay in
// KVM, this register file lives in libvmm at layout's kIoapic. It does not deliver
// interrupts itself: whenever the guest changes a redirection entry, the unmasked pins
// become KVM GSI routes of MSI type (KVM_SET_GSI_ROUTING), so KVM_IRQ_LINE from platform
// devices and irqfds from virtio devices reach the LAPICs without an exit.
// Limits: every pin is delivered edge-triggered (the ISA lines of our platform are edge;
// a level-triggered entry would need EOI exits, which libvmm does not take), and an
// interrupt raised while its pin is masked is lost.
// All register accesses are guest-controlled: 32-bit accesses only, indexes masked.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <vector>

#include "devices/device.h"

namespace vmm {

class Vm;

class Ioapic final : public MmioDevice {
 public:
  static constexpr uint32_t kPins = 24;
  static constexpr uint64_t kMmioSize = 0x1000;

  Ioapic(Vm& vm, uint8_t id);

  std::string_view name() const override { return "ioapic"; }
  void mmio_read(uint64_t offset, std::span<uint8_t> data) override;
  void mmio_write(uint64_t offset, std::span<const uint8_t> data) override;

  // Redirection entry of `pin` (tests).
  uint64_t entry(uint32_t pin) const;
  // Route updates KVM rejected (should stay 0).
  uint64_t routing_errors() const;

 private:
  uint32_t read_indirect(uint8_t index) const;
  void write_indirect(uint8_t index, uint32_t value);
  void update_routes();

  Vm& vm_;
  mutable std::mutex mutex_;
  uint8_t id_;
  uint8_t select_ = 0;
  std::array<uint64_t, kPins> entries_{};
  std::vector<uint64_t> routed_;  // the (pin, address, data) words last given to KVM
  uint64_t routing_errors_ = 0;
};

}  // namespace vmm
