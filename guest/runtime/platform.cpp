#include "rt/platform.h"

#include "rt/hypercall.h"
#include "rt/console.h"
#include "rt/time.h"

extern "C" volatile bool pvh_exit_requested;

namespace rt {
namespace {

// ---- lean ABI: hypercalls ----
void lean_console(const char* data, size_t length) {
  while (length > 0) {
    size_t chunk = length < VMM_CONSOLE_WRITE_MAX ? length : VMM_CONSOLE_WRITE_MAX;
    if (lean::console_write(data, chunk) < 0) return;  // over the VMM's cap: drop the rest
    data += chunk;
    length -= chunk;
  }
}
// The console's buffered bytes ride along: one exit for the ready line and the signal.
void lean_boot_ready() {
  const char* data;
  size_t length = take_buffered(&data);
  lean::boot_ready(data, length);
}

// ---- fallback: 16550 UART at 0x3f8, i8042 reset, Firecracker's boot-timer port ----
constexpr uint16_t kCom1 = 0x3f8;
constexpr uint16_t kCom1Lsr = kCom1 + 5;
constexpr uint16_t kBootTimerPort = 0x3f0;  // Firecracker: magic byte 123 = "booted"
constexpr uint16_t kI8042Command = 0x64;

void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %w1" : : "a"(v), "Nd"(port)); }
uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

void serial_console(const char* data, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    if (data[i] == '\n') {
      while (!(inb(kCom1Lsr) & 0x20)) __asm__ volatile("pause");
      outb(kCom1, '\r');
    }
    while (!(inb(kCom1Lsr) & 0x20)) __asm__ volatile("pause");  // THR empty
    outb(kCom1, static_cast<uint8_t>(data[i]));
  }
}

[[noreturn]] void reset_exit(int64_t status) {
  char line[48] = "guest exit status ";
  size_t n = 18;
  uint64_t v = status < 0 ? static_cast<uint64_t>(-status) : static_cast<uint64_t>(status);
  char digits[24];
  size_t d = 0;
  do digits[d++] = static_cast<char>('0' + v % 10), v /= 10;
  while (v != 0);
  if (status < 0) line[n++] = '-';
  while (d > 0) line[n++] = digits[--d];
  line[n++] = '\n';
  serial_console(line, n);
  // Pulse the reset line (i8042 command 0xfe); a VMM started with -no-reboot exits. A VMM
  // without an i8042 gets a triple fault from the CPL0 exception path (pvh_boot.cpp).
  outb(kI8042Command, 0xfe);
  pvh_exit_requested = true;
  for (;;) __asm__ volatile("ud2");
}

void timer_boot_ready() {
  flush();
  outb(kBootTimerPort, 123);
}

// No way to block: spin briefly and let the caller poll its devices.
uint64_t polling_wait(uint64_t deadline_ns) {
  const uint64_t until = now_ns() + 20000;
  while (now_ns() < until && now_ns() < deadline_ns) __asm__ volatile("pause");
  return now_ns() >= deadline_ns ? (VMM_WAIT_TIMEOUT | VMM_WAIT_DEVICE) : VMM_WAIT_DEVICE;
}
int64_t no_notify(uint32_t, uint32_t) { return -int64_t{VMM_ENOSYS}; }

constexpr Platform kLean = {"libvmm", lean_console, lean::exit, lean_boot_ready, lean::wait, lean::notify};
constexpr Platform kFallback = {"pvh", serial_console, reset_exit, timer_boot_ready, polling_wait, no_notify};
const Platform* current = &kLean;

}  // namespace

const Platform& platform() { return *current; }
void use_fallback_platform() { current = &kFallback; }

}  // namespace rt
