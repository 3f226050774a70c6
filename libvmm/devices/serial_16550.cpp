#include "devices/serial_16550.h"

#include "devices/serial_input.h"

namespace vmm {
namespace {

// Register offsets from the base port (PC16550D table II).
constexpr uint16_t kRbrThrDll = 0, kIerDlm = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;

constexpr uint8_t kIerRxData = 0x01, kIerThrEmpty = 0x02, kIerMask = 0x0f;
constexpr uint8_t kIirNone = 0x01, kIirThrEmpty = 0x02, kIirRxData = 0x04, kIirFifos = 0xc0;
constexpr uint8_t kFcrEnable = 0x01, kFcrClearRx = 0x02;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoop = 0x10, kMcrMask = 0x1f;
constexpr uint8_t kLsrDataReady = 0x01, kLsrThrEmpty = 0x20, kLsrIdle = 0x40;
constexpr uint8_t kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80;

}  // namespace

Serial16550::Serial16550(DeviceHost& host, IrqLine irq) : host_(host), irq_(irq) {}

Serial16550::~Serial16550() { input_.reset(); }

void Serial16550::pio_read(uint16_t port, std::span<uint8_t> data) {
  // Byte registers: a wider access reads the register at `port` and zeros above it.
  std::fill(data.begin(), data.end(), uint8_t{0});
  if (data.empty() || port > kScr) return;
  std::lock_guard lock(mutex_);
  data[0] = read_register(port);
  update_irq();
}

void Serial16550::pio_write(uint16_t port, std::span<const uint8_t> data) {
  if (data.empty() || port > kScr) return;
  std::string_view out;
  char byte = 0;
  {
    std::lock_guard lock(mutex_);
    const bool transmit = port == kRbrThrDll && !(lcr_ & kLcrDlab) && !(mcr_ & kMcrLoop);
    if (transmit) {
      byte = static_cast<char>(data[0]);
      out = {&byte, 1};
      thr_interrupt_ = true;  // the byte left at once: THR is empty again
    } else {
      write_register(port, data[0]);
    }
    update_irq();
  }
  if (!out.empty()) host_.console_output(out);  // outside the lock: the sink may block
}

uint8_t Serial16550::read_register(uint16_t reg) {
  const bool dlab = lcr_ & kLcrDlab;
  switch (reg) {
    case kRbrThrDll: {
      if (dlab) return dll_;
      if (rx_.empty()) return 0;
      const uint8_t b = rx_.front();
      rx_.pop_front();
      room_.notify_all();
      return b;
    }
    case kIerDlm: return dlab ? dlm_ : ier_;
    case kIirFcr: {
      const uint8_t iir = interrupt_id();
      if ((iir & 0x0f) == kIirThrEmpty) thr_interrupt_ = false;  // reading IIR clears it
      return iir;
    }
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return static_cast<uint8_t>((rx_.empty() ? 0 : kLsrDataReady) | kLsrThrEmpty | kLsrIdle);
    case kMsr: return modem_status();
    default: return scr_;
  }
}

void Serial16550::write_register(uint16_t reg, uint8_t value) {
  const bool dlab = lcr_ & kLcrDlab;
  switch (reg) {
    case kRbrThrDll:
      if (dlab) dll_ = value;
      else if (rx_.size() < kInputCapacity) rx_.push_back(value);  // loopback
      break;
    case kIerDlm:
      if (dlab) {
        dlm_ = value;
      } else {
        // Enabling the THR-empty interrupt while THR is empty raises it (datasheet 8.4).
        if ((value & kIerThrEmpty) && !(ier_ & kIerThrEmpty)) thr_interrupt_ = true;
        ier_ = value & kIerMask;
      }
      break;
    case kIirFcr:
      fifo_enabled_ = value & kFcrEnable;
      if (value & kFcrClearRx) rx_.clear(), room_.notify_all();
      break;
    case kLcr: lcr_ = value; break;
    case kMcr: mcr_ = value & kMcrMask; break;
    case kScr: scr_ = value; break;
    default: break;  // LSR and MSR are read-only
  }
}

uint8_t Serial16550::interrupt_id() const {
  // Priorities (datasheet table IV): receiver data before THR empty; no line-status or
  // modem-status interrupts ever occur here.
  const uint8_t fifos = fifo_enabled_ ? kIirFifos : 0;
  if ((ier_ & kIerRxData) && !rx_.empty()) return fifos | kIirRxData;
  if ((ier_ & kIerThrEmpty) && thr_interrupt_) return fifos | kIirThrEmpty;
  return fifos | kIirNone;
}

uint8_t Serial16550::modem_status() const {
  if (!(mcr_ & kMcrLoop)) return kMsrDcd | kMsrDsr | kMsrCts;  // a peer is always there
  // Loopback (datasheet 8.6): DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
  return static_cast<uint8_t>(((mcr_ & kMcrDtr) ? kMsrDsr : 0) | ((mcr_ & kMcrRts) ? kMsrCts : 0) |
                              ((mcr_ & kMcrOut1) ? kMsrRi : 0) | ((mcr_ & kMcrOut2) ? kMsrDcd : 0));
}

void Serial16550::update_irq() { irq_.set((interrupt_id() & kIirNone) == 0); }

size_t Serial16550::push_input(std::span<const uint8_t> bytes) {
  std::lock_guard lock(mutex_);
  const size_t n = std::min(bytes.size(), kInputCapacity - rx_.size());
  rx_.insert(rx_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
  update_irq();
  return n;
}

size_t Serial16550::wait_for_room() {
  std::unique_lock lock(mutex_);
  room_.wait(lock, [&] { return waking_ || rx_.size() < kInputCapacity; });
  return kInputCapacity - rx_.size();
}

void Serial16550::wake_waiters() {
  std::lock_guard lock(mutex_);
  waking_ = true;
  room_.notify_all();
}

Result<void> Serial16550::attach_input(int fd) {
  input_ = VMM_TRY(SerialInput::start(*this, fd));
  return {};
}

}  // namespace vmm
