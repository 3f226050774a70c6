// The PC platform devices of standard guests, driven register by register as a guest
// would, plus hostile input (no KVM needed: interrupt lines are disconnected).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "devices/acpi_pm.h"
#include "devices/cmos_rtc.h"
#include "devices/guest_signals.h"
#include "devices/i8042.h"
#include "devices/serial_16550.h"

using namespace vmm;

namespace {

// Records what devices ask of the instance.
class FakeHost final : public DeviceHost {
 public:
  const GuestMemory& guest_memory() const override { return memory_; }
  Vm& vm() override { std::abort(); }  // devices under test have disconnected IRQ lines
  void request_exit(ExitInfo info) override {
    if (!exit) exit = std::move(info);
  }
  void mark_boot_ready() override { ++boot_ready; }
  void console_output(std::string_view bytes) override { console.append(bytes); }

  std::optional<ExitInfo> exit;
  int boot_ready = 0;
  std::string console;

 private:
  GuestMemory memory_;
};

template <class Device>
uint8_t in(Device& d, uint16_t port) {
  uint8_t v = 0;
  d.pio_read(port, {&v, 1});
  return v;
}

template <class Device>
void out(Device& d, uint16_t port, uint8_t v) {
  d.pio_write(port, {&v, 1});
}

// 16550 register offsets.
constexpr uint16_t kThr = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7;

}  // namespace

TEST_CASE("UART: transmit reaches the console; LSR always says the transmitter is empty") {
  FakeHost host;
  Serial16550 uart(host, {});
  for (char c : std::string("hi\n")) out(uart, kThr, static_cast<uint8_t>(c));
  CHECK(host.console == "hi\n");
  CHECK((in(uart, kLsr) & 0x60) == 0x60);  // THRE | TEMT
  CHECK((in(uart, kLsr) & 0x01) == 0);     // no data
}

TEST_CASE("UART: what Linux's 8250 autoconfig probes (scratch, loopback, FIFO)") {
  FakeHost host;
  Serial16550 uart(host, {});
  out(uart, kScr, 0xa5);
  CHECK(in(uart, kScr) == 0xa5);
  out(uart, kMcr, 0x10 | 0x0a);  // loopback, RTS, OUT2
  CHECK((in(uart, kMsr) & 0xf0) == 0x90);  // CTS | DCD
  out(uart, kThr, 'x');          // loops back instead of going out
  CHECK(host.console.empty());
  CHECK(in(uart, kLsr) & 0x01);
  CHECK(in(uart, kThr) == 'x');
  out(uart, kMcr, 0);
  out(uart, kIir, 0x01);  // FCR: enable FIFOs
  CHECK((in(uart, kIir) & 0xc0) == 0xc0);  // 16550A
  out(uart, kLcr, 0x80);  // DLAB: divisor latch
  out(uart, kThr, 0x01);
  CHECK(in(uart, kThr) == 0x01);
  CHECK(host.console.empty());
}

TEST_CASE("UART: input is read through RBR with LSR data-ready; IIR reports it when enabled") {
  FakeHost host;
  Serial16550 uart(host, {});
  const uint8_t bytes[] = {'o', 'k'};
  CHECK(uart.push_input(bytes) == 2);
  out(uart, kIer, 0x01);
  CHECK((in(uart, kIir) & 0x0f) == 0x04);  // received data available
  CHECK(in(uart, kThr) == 'o');
  CHECK(in(uart, kThr) == 'k');
  CHECK((in(uart, kLsr) & 0x01) == 0);
  CHECK((in(uart, kIir) & 0x0f) == 0x01);  // nothing pending
}

TEST_CASE("UART: enabling the THR-empty interrupt raises it until IIR is read") {
  FakeHost host;
  Serial16550 uart(host, {});
  out(uart, kIer, 0x02);
  CHECK((in(uart, kIir) & 0x0f) == 0x02);
  CHECK((in(uart, kIir) & 0x0f) == 0x01);
  out(uart, kThr, 'a');
  CHECK((in(uart, kIir) & 0x0f) == 0x02);
}

TEST_CASE("UART: the input buffer is bounded") {
  FakeHost host;
  Serial16550 uart(host, {});
  std::vector<uint8_t> lots(Serial16550::kInputCapacity + 100, 'z');
  CHECK(uart.push_input(lots) == Serial16550::kInputCapacity);
  CHECK(uart.push_input(lots) == 0);
}

TEST_CASE("UART: an input fd feeds the guest") {
  FakeHost host;
  Serial16550 uart(host, {});
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  REQUIRE(uart.attach_input(fds[0]));
  REQUIRE(::write(fds[1], "abc", 3) == 3);
  std::string got;
  for (int i = 0; i < 2000 && got.size() < 3; ++i) {
    if (in(uart, kLsr) & 0x01) got += static_cast<char>(in(uart, kThr));
    else std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(got == "abc");
  ::close(fds[1]);
  ::close(fds[0]);
}

TEST_CASE("i8042: controller self-test, configuration byte, keyboard bytes acknowledged") {
  FakeHost host;
  I8042 kbc(host, {});
  out(kbc, 4, 0xaa);
  CHECK(in(kbc, 4) & 0x01);  // output buffer full
  CHECK(in(kbc, 0) == 0x55);
  CHECK((in(kbc, 4) & 0x01) == 0);
  out(kbc, 4, 0x60);
  out(kbc, 0, 0x47);
  out(kbc, 4, 0x20);
  CHECK(in(kbc, 0) == 0x47);
  out(kbc, 0, 0xff);  // to the keyboard: reset
  CHECK(in(kbc, 0) == 0xfa);
  CHECK_FALSE(host.exit);
}

TEST_CASE("i8042: command 0xfe resets the machine, once, with a reason") {
  FakeHost host;
  I8042 kbc(host, {});
  CHECK((in(kbc, 4) & 0x02) == 0);  // Linux's kb_wait: input buffer empty
  out(kbc, 4, 0xfe);
  REQUIRE(host.exit);
  CHECK(host.exit->reason == ExitReason::Reset);
  CHECK(host.exit->message == "guest reset through the i8042 keyboard controller (command 0xfe)");
}

TEST_CASE("i8042: writing the output port with bit 0 clear resets the machine") {
  FakeHost host;
  I8042 kbc(host, {});
  out(kbc, 4, 0xd1);
  out(kbc, 0, 0x01);  // bit 0 set: no reset
  CHECK_FALSE(host.exit);
  out(kbc, 4, 0xd1);
  out(kbc, 0, 0x00);
  REQUIRE(host.exit);
  CHECK(host.exit->message == "guest reset through the i8042 keyboard controller (output port write with bit 0 clear)");
}

TEST_CASE("CMOS RTC: BCD 24-hour by default, binary and 12-hour on request") {
  CmosRtc rtc;
  std::tm t{};
  t.tm_year = 2026 - 1900, t.tm_mon = 10, t.tm_mday = 26, t.tm_hour = 18, t.tm_min = 7, t.tm_sec = 59, t.tm_wday = 4;
  CHECK(rtc.read_at(0x00, t) == 0x59);
  CHECK(rtc.read_at(0x02, t) == 0x07);
  CHECK(rtc.read_at(0x04, t) == 0x18);
  CHECK(rtc.read_at(0x06, t) == 0x05);
  CHECK(rtc.read_at(0x07, t) == 0x26);
  CHECK(rtc.read_at(0x08, t) == 0x11);
  CHECK(rtc.read_at(0x09, t) == 0x26);
  CHECK(rtc.read_at(0x32, t) == 0x20);
  CHECK((rtc.read_at(0x0a, t) & 0x80) == 0);  // never "update in progress"
  CHECK(rtc.read_at(0x0d, t) == 0x80);
  out(rtc, 0, 0x0b);
  out(rtc, 1, 0x04);  // binary, 12-hour
  CHECK(rtc.read_at(0x04, t) == (6 | 0x80));
  CHECK(rtc.read_at(0x09, t) == 26);
}

TEST_CASE("CMOS RTC: the port pair reads the host's UTC time") {
  CmosRtc rtc;
  out(rtc, 0, 0x80 | 0x09);  // bit 7 (NMI mask) is ignored
  const uint8_t year = in(rtc, 1);
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  CHECK(year == (((utc.tm_year % 100) / 10) << 4 | (utc.tm_year % 10)));
}

TEST_CASE("Boot timer: only a one-byte write of 123 at offset 0 counts") {
  FakeHost host;
  BootTimer timer(host);
  const uint8_t magic = 123, other = 124;
  const uint8_t wide[4] = {123, 0, 0, 0};
  timer.mmio_write(0, {&other, 1});
  timer.mmio_write(1, {&magic, 1});
  timer.mmio_write(0, wide);
  CHECK(host.boot_ready == 0);
  timer.mmio_write(0, {&magic, 1});
  timer.pio_write(0, {&magic, 1});
  CHECK(host.boot_ready == 2);  // the host keeps the first
}

TEST_CASE("Debug exit: a write of v ends the guest with status (v << 1) | 1") {
  FakeHost host;
  DebugExit port(host);
  const uint8_t value[4] = {0x10, 0, 0, 0};
  port.pio_write(0, value);
  REQUIRE(host.exit);
  CHECK(host.exit->reason == ExitReason::GuestExit);
  CHECK(host.exit->status == 0x21);
}

TEST_CASE("ACPI PM1a: always in ACPI mode; SLP_EN with sleep type S5 powers off") {
  FakeHost host;
  AcpiPm pm(host);
  uint16_t control = 0;
  pm.pio_read(4, {reinterpret_cast<uint8_t*>(&control), 2});
  CHECK((control & 1) == 1);  // SCI_EN
  const uint16_t s3 = (3u << 10) | (1u << 13);
  pm.pio_write(4, {reinterpret_cast<const uint8_t*>(&s3), 2});
  CHECK_FALSE(host.exit);
  const uint16_t s5_type = 5u << 10;  // type first, then SLP_EN, as some guests do
  pm.pio_write(4, {reinterpret_cast<const uint8_t*>(&s5_type), 2});
  CHECK_FALSE(host.exit);
  out(pm, 5, static_cast<uint8_t>((s5_type | (1u << 13)) >> 8));  // the high byte alone
  REQUIRE(host.exit);
  CHECK(host.exit->reason == ExitReason::PowerOff);
  CHECK(host.exit->message == "guest powered off through ACPI (sleep state S5)");
}

TEST_CASE("HostileRegisterAccesses: random widths, offsets and values never hurt the VMM") {
  FakeHost host;
  Serial16550 uart(host, {});
  I8042 kbc(host, {});
  CmosRtc rtc;
  BootTimer timer(host);
  AcpiPm pm(host);
  std::mt19937 rng(42);
  std::vector<PioDevice*> devices = {&uart, &kbc, &rtc, &timer, &pm};
  for (int i = 0; i < 20000; ++i) {
    PioDevice* d = devices[rng() % devices.size()];
    uint8_t data[8];
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    const size_t width = std::size_t{1} << (rng() % 4);
    const auto port = static_cast<uint16_t>(rng() % 12);
    if (rng() & 1) d->pio_write(port, {data, width});
    else d->pio_read(port, {data, width});
    timer.mmio_write(rng() % 0x2000, {data, width});
  }
  SUCCEED("no crash");
}
