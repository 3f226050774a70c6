// The keyboard controller of a PC (Intel 8042; IBM PC/AT Technical Reference, and what
// Linux's i8042 driver expects): enough to be probed and to reset the machine. Ports
// 0x60 (data, offset 0) and 0x64 (status/command, offset 4) of the range 0x60-0x64.
// A reset (command 0xFE, any 0xF0-0xFF pulse of output line 0, or command 0xD1 writing
// an output port with bit 0 clear) ends the instance with ExitReason::Reset: how Linux
// reboots with reboot=k and how Firecracker guests reboot. Keyboard bytes written to the
// data port are acknowledged (0xFA) on IRQ 1 when the guest enables it; there is no
// keyboard and no mouse behind the controller.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>

#include "devices/device.h"
#include "devices/device_host.h"
#include "devices/irq_line.h"

namespace vmm {

class I8042 final : public PioDevice {
 public:
  static constexpr uint16_t kPortCount = 5;  // 0x60..0x64; 0x61-0x63 are not ours

  I8042(DeviceHost& host, IrqLine keyboard_irq);

  std::string_view name() const override { return "i8042"; }
  void pio_read(uint16_t port, std::span<uint8_t> data) override;
  void pio_write(uint16_t port, std::span<const uint8_t> data) override;

 private:
  void command(uint8_t cmd);
  void data(uint8_t value);
  void output(uint8_t value);  // into the output buffer, IRQ 1 if enabled
  void reset(const char* how);

  DeviceHost& host_;
  std::mutex mutex_;
  IrqLine irq_;
  uint8_t config_ = 0x45;  // controller configuration byte: IRQ1 on, SYS, translate
  std::optional<uint8_t> out_;          // output buffer (status bit 0)
  std::optional<uint8_t> pending_cmd_;  // a command waiting for its data byte
  bool reset_done_ = false;
};

}  // namespace vmm
