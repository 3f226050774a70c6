// The ACPI fixed-hardware PM1a event and control registers (ACPI 6.5 section 4.8.3) at
// the ports the FADT names (layout's kPortAcpiPm1aEvt, 4 ports, then kPortAcpiPm1aCnt,
// 2 ports: one range of 6). The platform is always in ACPI mode (PM1_CNT.SCI_EN reads 1)
// and raises no events; its one job is the power-off: writing PM1_CNT with SLP_EN and the
// S5 sleep type from the DSDT's _S5 object ends the instance with ExitReason::PowerOff.
// Other sleep states are not supported and ignored. Guest-controlled: any width, any value.
#pragma once

#include <cstdint>
#include <mutex>

#include "devices/device.h"
#include "devices/device_host.h"

namespace vmm {

class AcpiPm final : public PioDevice {
 public:
  static constexpr uint16_t kPortCount = 6;
  static constexpr uint16_t kSleepTypeS5 = 5;  // must match the DSDT's _S5 package

  explicit AcpiPm(DeviceHost& host) : host_(host) {}

  std::string_view name() const override { return "acpi-pm"; }
  void pio_read(uint16_t port, std::span<uint8_t> data) override;
  void pio_write(uint16_t port, std::span<const uint8_t> data) override;

 private:
  uint16_t read16(uint16_t reg) const;
  void write16(uint16_t reg, uint16_t value);

  DeviceHost& host_;
  std::mutex mutex_;
  uint16_t status_ = 0, enable_ = 0, control_ = 0;
};

}  // namespace vmm
