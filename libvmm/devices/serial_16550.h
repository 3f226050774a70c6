// A 16550A UART (National Semiconductor PC16550D datasheet) at COM1 (0x3f8, IRQ 4):
// transmit goes straight to the instance's console, receive comes from push_input()
// (tests, the embedder) or from an input fd read by a SerialInput thread. Enough of the
// chip for Linux's 8250 driver (scratch register, loopback test of the autoconfig, FIFO
// detection) and for polled unikernel consoles. Registers are guest-controlled: every
// value is masked to its defined bits; nothing the guest writes can fail the VMM.
// Thread-safe: vCPU threads and the input thread serialise on one mutex.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>

#include "devices/device.h"
#include "devices/device_host.h"
#include "devices/irq_line.h"

namespace vmm {

class SerialInput;

class Serial16550 final : public PioDevice {
 public:
  static constexpr size_t kInputCapacity = 4096;  // bytes buffered host -> guest

  Serial16550(DeviceHost& host, IrqLine irq);
  ~Serial16550() override;

  std::string_view name() const override { return "serial-16550"; }
  void pio_read(uint16_t port, std::span<uint8_t> data) override;
  void pio_write(uint16_t port, std::span<const uint8_t> data) override;

  // Queues bytes for the guest; returns how many fit. Raises the receive interrupt when
  // the guest enabled it.
  size_t push_input(std::span<const uint8_t> bytes);
  // Blocks until the input buffer has room or `wake_waiters` is called; returns the room.
  size_t wait_for_room();
  void wake_waiters();

  // Starts a thread that feeds the UART from `fd` until EOF (the fd stays the caller's).
  Result<void> attach_input(int fd);

 private:
  uint8_t read_register(uint16_t reg);
  void write_register(uint16_t reg, uint8_t value);
  uint8_t interrupt_id() const;
  uint8_t modem_status() const;
  void update_irq();

  DeviceHost& host_;
  std::mutex mutex_;
  std::condition_variable room_;
  bool waking_ = false;
  IrqLine irq_;
  std::deque<uint8_t> rx_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, dll_ = 0x0c, dlm_ = 0;
  bool fifo_enabled_ = false;
  bool thr_interrupt_ = false;  // "THR empty" pending until IIR is read or THR written
  std::unique_ptr<SerialInput> input_;  // last: stopped before the rest is destroyed
};

}  // namespace vmm
