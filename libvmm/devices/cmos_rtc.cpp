#include "devices/cmos_rtc.h"

#include <time.h>

namespace vmm {
namespace {

// MC146818A register map (datasheet figure 4), plus the PC's century byte.
constexpr uint8_t kSeconds = 0x00, kMinutes = 0x02, kHours = 0x04, kWeekday = 0x06, kDay = 0x07, kMonth = 0x08,
                  kYear = 0x09, kStatusA = 0x0a, kStatusB = 0x0b, kStatusC = 0x0c, kStatusD = 0x0d,
                  kCentury = 0x32;
constexpr uint8_t kStatusADivider = 0x26;  // 32.768 kHz time base, 1.024 kHz rate; UIP (bit 7) clear
constexpr uint8_t kStatusB24Hour = 0x02, kStatusBBinary = 0x04;
constexpr uint8_t kStatusDValid = 0x80;  // battery good: time and RAM are valid
constexpr uint8_t kHourPm = 0x80;

}  // namespace

CmosRtc::CmosRtc() {
  ram_[kStatusA] = kStatusADivider;
  ram_[kStatusB] = kStatusB24Hour;
  ram_[kStatusD] = kStatusDValid;
}

void CmosRtc::pio_read(uint16_t port, std::span<uint8_t> data) {
  std::fill(data.begin(), data.end(), uint8_t{0xff});
  if (data.empty() || port != 1) return;  // the index port reads as floating
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::tm now{};
  gmtime_r(&ts.tv_sec, &now);
  std::lock_guard lock(mutex_);
  data[0] = read_at(index_, now);
}

void CmosRtc::pio_write(uint16_t port, std::span<const uint8_t> data) {
  if (data.empty()) return;
  std::lock_guard lock(mutex_);
  if (port == 0) {
    index_ = data[0] & 0x7f;
    return;
  }
  if (port != 1) return;
  switch (index_) {
    case kStatusA: ram_[kStatusA] = data[0] & 0x7f; break;  // UIP (bit 7) is read-only
    case kStatusC:
    case kStatusD: break;  // read-only
    default: ram_[index_] = data[0]; break;  // time writes land in RAM; the clock stays the host's
  }
}

uint8_t CmosRtc::read_at(uint8_t index, const std::tm& now) {
  switch (index & 0x7f) {
    case kSeconds: return encode(now.tm_sec);
    case kMinutes: return encode(now.tm_min);
    case kHours: return hour(now.tm_hour);
    case kWeekday: return encode(now.tm_wday + 1);  // 1 = Sunday
    case kDay: return encode(now.tm_mday);
    case kMonth: return encode(now.tm_mon + 1);
    case kYear: return encode((now.tm_year + 1900) % 100);
    case kCentury: return encode((now.tm_year + 1900) / 100);
    case kStatusC: return 0;  // no interrupt flags
    default: return ram_[index & 0x7f];
  }
}

uint8_t CmosRtc::encode(int value) const {
  if (ram_[kStatusB] & kStatusBBinary) return static_cast<uint8_t>(value);
  return static_cast<uint8_t>(((value / 10) << 4) | (value % 10));
}

uint8_t CmosRtc::hour(int h) const {
  if (ram_[kStatusB] & kStatusB24Hour) return encode(h);
  const int h12 = h % 12 == 0 ? 12 : h % 12;
  return static_cast<uint8_t>(encode(h12) | (h >= 12 ? kHourPm : 0));
}

}  // namespace vmm
