#include "devices/acpi_pm.h"

#include <algorithm>

namespace vmm {
namespace {

// Register offsets within the range (PM1a_EVT_BLK = status + enable, then PM1a_CNT_BLK).
constexpr uint16_t kStatus = 0, kEnable = 2, kControl = 4;
constexpr uint16_t kControlSciEnable = 1u << 0;  // table 4.14: SCI_EN
constexpr uint16_t kControlSleepTypeShift = 10, kControlSleepTypeMask = 7u << 10;
constexpr uint16_t kControlSleepEnable = 1u << 13;  // SLP_EN, write-only

constexpr uint16_t register_of(uint16_t offset) { return static_cast<uint16_t>(offset & 0xfffe); }

}  // namespace

uint16_t AcpiPm::read16(uint16_t reg) const {
  switch (reg) {
    case kStatus: return status_;
    case kEnable: return enable_;
    case kControl: return static_cast<uint16_t>(control_ | kControlSciEnable);
    default: return 0;
  }
}

void AcpiPm::write16(uint16_t reg, uint16_t value) {
  switch (reg) {
    case kStatus: status_ &= static_cast<uint16_t>(~value); break;  // write 1 to clear
    case kEnable: enable_ = value; break;
    case kControl: {
      control_ = value & ~kControlSleepEnable;
      const uint16_t type = (value & kControlSleepTypeMask) >> kControlSleepTypeShift;
      if ((value & kControlSleepEnable) && type == kSleepTypeS5) {
        host_.request_exit({ExitReason::PowerOff, 0, "guest powered off through ACPI (sleep state S5)", {}});
      }
      break;
    }
    default: break;
  }
}

void AcpiPm::pio_read(uint16_t port, std::span<uint8_t> data) {
  std::fill(data.begin(), data.end(), uint8_t{0});
  std::lock_guard lock(mutex_);
  // Byte-granular over the 16-bit registers: an access may span two of them.
  for (size_t i = 0; i < data.size() && port + i < kPortCount; ++i) {
    const uint16_t offset = static_cast<uint16_t>(port + i);
    data[i] = static_cast<uint8_t>(read16(register_of(offset)) >> (8 * (offset & 1)));
  }
}

void AcpiPm::pio_write(uint16_t port, std::span<const uint8_t> data) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < data.size() && port + i < kPortCount;) {
    const uint16_t offset = static_cast<uint16_t>(port + i);
    const uint16_t reg = register_of(offset);
    // Merge the bytes of this access that fall into `reg` with its other byte.
    uint16_t value = read16(reg) & ~kControlSciEnable;
    if (reg == kStatus) value = 0;  // W1C: untouched bytes clear nothing
    for (; i < data.size() && port + i < reg + 2u; ++i) {
      const unsigned shift = 8 * ((port + i) & 1);
      value = static_cast<uint16_t>((value & ~(0xffu << shift)) | (data[i] << shift));
    }
    write16(reg, value);
  }
}

}  // namespace vmm
