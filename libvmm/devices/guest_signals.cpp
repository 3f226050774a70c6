#include "devices/guest_signals.h"

#include <algorithm>

#include <fmt/format.h>

namespace vmm {

void BootTimer::pio_read(uint16_t, std::span<uint8_t> data) { std::fill(data.begin(), data.end(), uint8_t{0}); }
void BootTimer::pio_write(uint16_t port, std::span<const uint8_t> data) { write(port, data); }
void BootTimer::mmio_read(uint64_t, std::span<uint8_t> data) { std::fill(data.begin(), data.end(), uint8_t{0}); }
void BootTimer::mmio_write(uint64_t offset, std::span<const uint8_t> data) { write(offset, data); }

void BootTimer::write(uint64_t offset, std::span<const uint8_t> data) {
  // Firecracker: only byte writes at offset 0 count.
  if (offset == 0 && data.size() == 1 && data[0] == kMagic) host_.mark_boot_ready();
}

void DebugExit::pio_read(uint16_t, std::span<uint8_t> data) { std::fill(data.begin(), data.end(), uint8_t{0xff}); }

void DebugExit::pio_write(uint16_t port, std::span<const uint8_t> data) {
  if (port != 0 || data.empty() || data.size() > 4) return;
  uint32_t value = 0;
  for (size_t i = 0; i < data.size(); ++i) value |= uint32_t{data[i]} << (8 * i);
  const int64_t status = (int64_t{value} << 1) | 1;
  host_.request_exit(
      {ExitReason::GuestExit, status, fmt::format("guest exited with status {} (debug-exit port)", status), {}});
}

}  // namespace vmm
