// The PC platform on this machine's KVM: timer interrupts through the in-kernel PIC and
// PIT, a second CPU started with INIT/SIPI, serial input, the split-mode IOAPIC.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstring>

#include "devices/ioapic.h"
#include "kvm_skip.h"
#include "standard_runner.h"
#include "vmm/vm.h"

using namespace vmm;
using namespace vmm::test;

namespace {

uint32_t ioapic_read(Ioapic& io, uint8_t index) {
  uint32_t v = index;
  io.mmio_write(0x00, {reinterpret_cast<uint8_t*>(&v), 4});
  io.mmio_read(0x10, {reinterpret_cast<uint8_t*>(&v), 4});
  return v;
}

void ioapic_write(Ioapic& io, uint8_t index, uint32_t value) {
  uint32_t sel = index;
  io.mmio_write(0x00, {reinterpret_cast<uint8_t*>(&sel), 4});
  io.mmio_write(0x10, {reinterpret_cast<uint8_t*>(&value), 4});
}

}  // namespace

TEST_CASE("Timer interrupts: PIT channel 0 through the in-kernel PIC to LINT0") {
  StandardOptions o;
  o.cmdline = "ticks=10";
  const StandardRun run = run_standard("std_timer_irq.elf", o);
  require_pass(run);
  CHECK(run.console.find("timer: 10 ticks in ") != std::string::npos);
}

TEST_CASE("SMP: the boot CPU starts the second one with INIT and STARTUP IPIs") {
  const IrqchipMode mode = GENERATE(IrqchipMode::Kernel, IrqchipMode::Split);
  SECTION(mode == IrqchipMode::Kernel ? "kernel irqchip" : "split irqchip") {
    StandardOptions o;
    o.vcpus = 2;
    o.platform.irqchip = mode;
    o.cmdline = "cpus=2";
    require_pass(run_standard("std_smp_sipi.elf", o));
  }
}

TEST_CASE("Serial input: bytes from an fd reach the guest through COM1") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  REQUIRE(::write(fds[1], "hello uart\n", 11) == 11);
  StandardOptions o;
  o.platform.serial_input_fd = fds[0];
  o.cmdline = "polls=200000";
  const StandardRun run = run_standard("std_serial_echo.elf", o);
  ::close(fds[0]);
  ::close(fds[1]);
  require_pass(run);
  CHECK(run.console.find("echo: hello uart\n") != std::string::npos);
}

TEST_CASE("Split-mode IOAPIC: registers as the 82093AA defines them, unmasked pins become routes") {
  auto kvm = kvm_or_skip();
  auto vm = Vm::create(kvm);
  REQUIRE(vm);
  REQUIRE(vm->enable_split_irqchip(Ioapic::kPins));
  Ioapic io(*vm, 2);
  CHECK(ioapic_read(io, 0x00) == 2u << 24);                     // ID
  CHECK(ioapic_read(io, 0x01) == (0x11u | (23u << 16)));        // version, 24 pins
  CHECK(ioapic_read(io, 0x10) == 1u << 16);                     // pin 0 masked at reset
  ioapic_write(io, 0x10 + 2 * 4, 0x31 | (1u << 12) | (1u << 14));  // vector 0x31; RO bits ignored
  ioapic_write(io, 0x11 + 2 * 4, 1u << 24);                     // destination APIC 1
  CHECK(io.entry(4) == ((1ull << 56) | 0x31));
  CHECK(io.routing_errors() == 0);
  uint8_t wide[8] = {};
  io.mmio_write(0x10, wide);  // 64-bit accesses are ignored
  io.mmio_read(0x10, wide);
  CHECK(wide[0] == 0);
  ioapic_write(io, 0xff, 0xffffffff);  // past the redirection table: ignored
  CHECK(io.entry(4) == ((1ull << 56) | 0x31));
}
