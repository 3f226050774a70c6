#include "devices/i8042.h"

#include <fmt/format.h>

namespace vmm {
namespace {

constexpr uint16_t kData = 0, kCommand = 4;
constexpr uint8_t kStatusOutputFull = 0x01, kStatusSystem = 0x04, kStatusCommand = 0x08;
constexpr uint8_t kConfigKbdIrq = 0x01;

// Controller commands.
constexpr uint8_t kReadConfig = 0x20, kWriteConfig = 0x60;
constexpr uint8_t kDisableAux = 0xa7, kEnableAux = 0xa8, kTestAux = 0xa9, kSelfTest = 0xaa, kTestKbd = 0xab;
constexpr uint8_t kDisableKbd = 0xad, kEnableKbd = 0xae;
constexpr uint8_t kReadOutputPort = 0xd0, kWriteOutputPort = 0xd1, kWriteKbdBuffer = 0xd2, kWriteAux = 0xd4;
constexpr uint8_t kPulseFirst = 0xf0;  // 0xf0-0xff: pulse output lines whose bit is 0
constexpr uint8_t kSelfTestOk = 0x55, kInterfaceOk = 0x00, kAck = 0xfa;
constexpr uint8_t kOutputPortReset = 0x01;  // output port bit 0: 0 resets the CPU

}  // namespace

I8042::I8042(DeviceHost& host, IrqLine keyboard_irq) : host_(host), irq_(keyboard_irq) {}

void I8042::pio_read(uint16_t port, std::span<uint8_t> data) {
  std::fill(data.begin(), data.end(), uint8_t{0xff});
  if (data.empty()) return;
  std::lock_guard lock(mutex_);
  if (port == kCommand) {
    data[0] = static_cast<uint8_t>((out_ ? kStatusOutputFull : 0) | kStatusSystem |
                                   (pending_cmd_ ? kStatusCommand : 0));
  } else if (port == kData) {
    data[0] = out_.value_or(0);
    out_.reset();
    irq_.set(false);
  }
}

void I8042::pio_write(uint16_t port, std::span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  std::lock_guard lock(mutex_);
  if (port == kCommand) command(bytes[0]);
  else if (port == kData) data(bytes[0]);
}

void I8042::command(uint8_t cmd) {
  pending_cmd_.reset();
  switch (cmd) {
    case kReadConfig: output(config_); break;
    case kWriteConfig:
    case kWriteOutputPort:
    case kWriteKbdBuffer:
    case kWriteAux: pending_cmd_ = cmd; break;
    case kSelfTest: output(kSelfTestOk); break;
    case kTestKbd:
    case kTestAux: output(kInterfaceOk); break;
    case kReadOutputPort: output(kOutputPortReset); break;
    case kDisableAux:
    case kEnableAux:
    case kDisableKbd:
    case kEnableKbd: break;
    default:
      if (cmd >= kPulseFirst && !(cmd & 0x01)) reset(fmt::format("command {:#x}", cmd).c_str());
      break;
  }
}

void I8042::data(uint8_t value) {
  const std::optional<uint8_t> cmd = pending_cmd_;
  pending_cmd_.reset();
  if (!cmd) {
    output(kAck);  // a byte for the keyboard: acknowledge it, as a keyboard would
    return;
  }
  switch (*cmd) {
    case kWriteConfig: config_ = value; break;
    case kWriteOutputPort:
      if (!(value & kOutputPortReset)) reset("output port write with bit 0 clear");
      break;
    case kWriteKbdBuffer: output(value); break;
    default: break;  // to the (absent) mouse
  }
}

void I8042::output(uint8_t value) {
  out_ = value;
  irq_.set(false);  // a fresh edge per byte
  irq_.set((config_ & kConfigKbdIrq) != 0);
}

void I8042::reset(const char* how) {
  if (reset_done_) return;
  reset_done_ = true;
  host_.request_exit({ExitReason::Reset, 0, fmt::format("guest reset through the i8042 keyboard controller ({})", how),
                      {}});
}

}  // namespace vmm
