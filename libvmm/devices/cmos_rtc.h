// The CMOS real-time clock of a PC (Motorola MC146818A; ports 0x70 index / 0x71 data),
// giving guests the wall-clock time: seconds to year and century read the host's
// CLOCK_REALTIME in UTC at each access, in BCD or binary and 12- or 24-hour form as
// status register B selects. The rest of the 128 bytes is plain CMOS RAM. No periodic,
// alarm or update interrupts (status C reads 0); the update-in-progress bit is never set.
// Index and data come from the guest: the index is masked to 7 bits (bit 7 of port
// 0x70 is the NMI mask on a PC and is ignored).
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <mutex>

#include "devices/device.h"

namespace vmm {

class CmosRtc final : public PioDevice {
 public:
  static constexpr uint16_t kPortCount = 2;

  CmosRtc();

  std::string_view name() const override { return "cmos-rtc"; }
  void pio_read(uint16_t port, std::span<uint8_t> data) override;
  void pio_write(uint16_t port, std::span<const uint8_t> data) override;

  // The value register `index` reads at time `now` (UTC); exposed for unit tests.
  uint8_t read_at(uint8_t index, const std::tm& now);

 private:
  uint8_t encode(int value) const;  // BCD or binary per status B
  uint8_t hour(int h) const;        // 12/24-hour per status B

  std::mutex mutex_;
  uint8_t index_ = 0;
  std::array<uint8_t, 128> ram_{};
};

}  // namespace vmm
