// The standard boot protocols on this machine's KVM: each test guest checks, from inside,
// the state its protocol promises (guest/standard) and prints a verdict asserted here.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "kvm_skip.h"
#include "standard_runner.h"
#include "vmm/image.h"

using namespace vmm;
using namespace vmm::test;

namespace {

const char* mode_name(IrqchipMode m) {
  return m == IrqchipMode::Kernel ? "kernel" : m == IrqchipMode::Split ? "split" : "none";
}

}  // namespace

TEST_CASE("Each protocol's entry state, boot data, memory map and tables, checked from inside") {
  const std::string image = GENERATE("std_linux64_check.elf", "std_pvh_check.elf", "std_multiboot_check.elf",
                                     "std_multiboot_addresses.elf");
  const uint64_t memory = GENERATE(uint64_t{16} << 20, uint64_t{96} << 20);
  const size_t initrd = GENERATE(size_t{0}, size_t{100003});
  const uint32_t cpus = GENERATE(1u, 2u);
  SECTION(fmt::format("{} ram={} initrd={} cpus={}", image, memory, initrd, cpus)) {
    StandardOptions o;
    std::optional<PatternFile> file;
    if (initrd) file.emplace(initrd), o.platform.initrd_path = file->path();
    o.memory = memory;
    o.vcpus = cpus;
    o.cmdline = fmt::format("ram={} initrd={} cpus={} some=words -- and arguments", memory, initrd, cpus);
    const StandardRun run = run_standard(image, o);
    require_pass(run);
    CHECK(run.console.find("cmdline: " + o.cmdline + "\n") != std::string::npos);
  }
}

TEST_CASE("The Linux 64-bit entry is the same with every interrupt-controller mode") {
  const IrqchipMode mode = GENERATE(IrqchipMode::Kernel, IrqchipMode::Split, IrqchipMode::None);
  SECTION(mode_name(mode)) {
    StandardOptions o;
    o.platform.irqchip = mode;
    o.cmdline = "ram=16777216";
    require_pass(run_standard("std_linux64_check.elf", o));
  }
}

TEST_CASE("Firecracker's boot timer: magic 123 at the MMIO device or at port 0x3f0 marks boot-ready") {
  const std::string where = GENERATE("mmio", "port");
  SECTION(where) {
    StandardOptions o;
    o.cmdline = "ram=16777216 boot_timer=" + where;
    const StandardRun run = run_standard("std_linux64_check.elf", o);
    require_pass(run);
    CHECK(run.times.boot_ready != 0);
    CHECK(run.times.boot_ready >= run.times.first_entry);
  }
  SECTION("no write, no boot-ready") {
    StandardOptions o;
    o.cmdline = "ram=16777216";
    const StandardRun run = run_standard("std_linux64_check.elf", o);
    require_pass(run);
    CHECK(run.times.boot_ready == 0);
  }
}

TEST_CASE("A reboot through the i8042 ends the instance with reason Reset") {
  StandardOptions o;
  o.cmdline = "ram=16777216 exit=i8042";
  const StandardRun run = run_standard("std_linux64_check.elf", o);
  INFO(run.console);
  REQUIRE(run.started);
  CHECK(passed(run));
  CHECK(run.exit.reason == ExitReason::Reset);
  CHECK(run.exit.message == "guest reset through the i8042 keyboard controller (command 0xfe)");
}

TEST_CASE("Malformed configurations are rejected with precise errors") {
  SECTION("an initrd that does not fit") {
    PatternFile big(15 << 20);
    StandardOptions o;
    o.platform.initrd_path = big.path();
    const StandardRun run = run_standard("std_linux64_check.elf", o);
    REQUIRE_FALSE(run.started);
    auto image = Image::open(guest_path("std_linux64_check.elf"));
    REQUIRE(image);
    const uint64_t image_end = ((*image)->load_end() + 0xfff) & ~uint64_t{0xfff};
    CHECK(run.start_error ==
          fmt::format("starting instance std_linux64_check.elf: writing boot data: initrd {} (15728640 bytes) does "
                      "not fit in guest RAM: {} bytes are free between the image end {:#x} and the top of RAM "
                      "0x1000000", big.path(), (16 << 20) - image_end, image_end));
  }
  SECTION("a missing initrd") {
    StandardOptions o;
    o.platform.initrd_path = "/nonexistent/initrd";
    const StandardRun run = run_standard("std_pvh_check.elf", o);
    REQUIRE_FALSE(run.started);
    CHECK(run.start_error == "starting instance std_pvh_check.elf: writing boot data: cannot open initrd "
                             "/nonexistent/initrd: No such file or directory");
  }
  SECTION("two vCPUs without an interrupt controller") {
    StandardOptions o;
    o.vcpus = 2;
    o.platform.irqchip = IrqchipMode::None;
    const StandardRun run = run_standard("std_smp_sipi.elf", o);
    REQUIRE_FALSE(run.started);
    CHECK(run.start_error == "starting instance std_smp_sipi.elf: setting up the platform: 2 vCPUs need an "
                             "interrupt controller (irqchip kernel or split): secondary CPUs are started with "
                             "INIT/SIPI through their local APIC");
  }
  SECTION("RAM above the MMIO gap") {
    StandardOptions o;
    o.memory = 4ull << 30;
    const StandardRun run = run_standard("std_multiboot_check.elf", o);
    REQUIRE_FALSE(run.started);
    CHECK(run.start_error == "starting instance std_multiboot_check.elf: multiboot: 4096 MiB of guest RAM do not fit "
                             "below the MMIO gap at 0xc0000000 (3072 MiB); RAM above the gap is not supported yet");
  }
  SECTION("an initrd for a lean guest") {
    PatternFile small(100);
    StandardOptions o;
    o.platform.initrd_path = small.path();
    const StandardRun run = run_standard("hello.elf", o);
    REQUIRE_FALSE(run.started);
    CHECK(run.start_error == "starting instance hello.elf: setting up the platform: an initrd and serial input are "
                             "for standard guests (Linux 64-bit, PVH, multiboot); this image uses the lean protocol");
  }
}
