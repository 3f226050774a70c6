// Standard guests, host side: the memory map, MP and ACPI tables, the zero page, initrd
// placement and CPUID, each checked against its specification (no KVM needed).
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "arch/x86_64/acpi_tables.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/memory_map.h"
#include "arch/x86_64/mptable.h"
#include "boot/linux/zero_page.h"
#include "boot/standard/initrd.h"

using namespace vmm;
using namespace vmm::x86;

namespace {

struct Ram {
  explicit Ram(uint64_t size) : bytes(size), mem(bytes.data(), size) {}
  std::vector<std::byte> bytes;
  GuestMemory mem;
  uint8_t u8(uint64_t a) const { return static_cast<uint8_t>(bytes.at(a)); }
  uint32_t u32(uint64_t a) const { return *mem.try_read<uint32_t>(a); }
  uint64_t u64(uint64_t a) const { return *mem.try_read<uint64_t>(a); }
  uint8_t sum(uint64_t a, uint64_t n) const {
    uint8_t s = 0;
    for (uint64_t i = 0; i < n; ++i) s = static_cast<uint8_t>(s + u8(a + i));
    return s;
  }
};

kvm_cpuid_entry2 leaf(uint32_t function, uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx) {
  kvm_cpuid_entry2 e{};
  e.function = function, e.eax = eax, e.ebx = ebx, e.ecx = ecx, e.edx = edx;
  return e;
}

}  // namespace

TEST_CASE("The standard memory map: RAM, the system-data hole, RAM, the MMIO gap") {
  auto map = standard_memory_map(256 << 20);
  REQUIRE(map.size() == 4);
  CHECK((map[0].addr == 0 && map[0].size == 0x9fc00 && map[0].type == MemoryType::Ram));
  CHECK((map[1].addr == 0x9fc00 && map[1].size == 0x60400 && map[1].type == MemoryType::Reserved));
  CHECK((map[2].addr == 0x100000 && map[2].size == (256 << 20) - 0x100000 && map[2].type == MemoryType::Ram));
  CHECK((map[3].addr == 0xc0000000 && map[3].size == 0x40000000 && map[3].type == MemoryType::Reserved));
  CHECK(low_ram_end(3ull << 30) == 0xc0000000);
  CHECK(check_standard_ram(3ull << 30, "x"));
  CHECK_FALSE(check_standard_ram((3ull << 30) + 4096, "x"));
}

TEST_CASE("Initrd placement: as high as possible, page-aligned, or a precise error") {
  auto p = standard_boot::place_initrd("/i", 10000, 0x200000, 16 << 20);
  REQUIRE(p);
  CHECK(p->gpa == ((16 << 20) - 10000) / 4096 * 4096);
  CHECK(p->size == 10000);
  auto too_big = standard_boot::place_initrd("/i", 15 << 20, 0x200000, 16 << 20);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().message() ==
        "initrd /i (15728640 bytes) does not fit in guest RAM: 14680064 bytes are free between the image end "
        "0x200000 and the top of RAM 0x1000000");
  auto larger_than_ram = standard_boot::place_initrd("/i", 32 << 20, 0x200000, 16 << 20);
  REQUIRE_FALSE(larger_than_ram);
  auto empty = standard_boot::place_initrd("/i", 0, 0x200000, 16 << 20);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message() == "initrd /i is empty");
}

TEST_CASE("MP table: floating pointer, configuration table, checksums, one entry per CPU") {
  Ram ram(1 << 20);
  REQUIRE(write_mptable(ram.mem, standard::kMpTable, 3));
  const uint64_t fp = standard::kMpTable;
  CHECK(std::memcmp(&ram.bytes[fp], "_MP_", 4) == 0);
  CHECK(ram.sum(fp, 16) == 0);            // MP spec 4.1
  CHECK(ram.u8(fp + 9) == 4);             // spec revision 1.4
  const uint64_t table = ram.u32(fp + 4);
  CHECK(std::memcmp(&ram.bytes[table], "PCMP", 4) == 0);
  const uint16_t length = static_cast<uint16_t>(ram.u32(table + 4));
  CHECK(ram.sum(table, length) == 0);     // MP spec 4.2
  CHECK(length + 16u == mptable_size(3));
  CHECK(ram.u32(table + 36) == standard::kLapic);
  int cpus = 0, ioapics = 0, irqs = 0, lints = 0;
  for (uint64_t p = table + 44; p < table + length;) {
    const uint8_t type = ram.u8(p);
    if (type == 0) {
      CHECK(ram.u8(p + 1) == static_cast<uint8_t>(cpus));                       // APIC ID
      CHECK(ram.u8(p + 3) == (cpus == 0 ? 3 : 1));        // EN, BP on CPU 0
      ++cpus;
    }
    ioapics += type == 2;
    if (type == 2) CHECK((ram.u8(p + 1) == 3 && ram.u32(p + 4) == standard::kIoapic));
    irqs += type == 3;
    lints += type == 4;
    p += type == 0 ? 20 : 8;
  }
  CHECK((cpus == 3 && ioapics == 1 && irqs == 24 && lints == 2));
}

TEST_CASE("ACPI: RSDP, XSDT, FADT with FACS and DSDT, MADT, all checksummed") {
  Ram ram(1 << 20);
  REQUIRE(write_acpi_tables(ram.mem, standard::kRsdp, standard::kAcpiTables, 2));
  const uint64_t rsdp = standard::kRsdp;
  CHECK(std::memcmp(&ram.bytes[rsdp], "RSD PTR ", 8) == 0);
  CHECK(ram.sum(rsdp, 20) == 0);  // ACPI 6.5 5.2.5.3
  CHECK(ram.sum(rsdp, 36) == 0);
  const uint64_t xsdt = ram.u64(rsdp + 24);
  CHECK(ram.sum(xsdt, ram.u32(xsdt + 4)) == 0);
  REQUIRE(ram.u32(xsdt + 4) == 36 + 16);
  const uint64_t fadt = ram.u64(xsdt + 36), madt = ram.u64(xsdt + 44);
  CHECK(std::memcmp(&ram.bytes[fadt], "FACP", 4) == 0);
  CHECK(ram.u32(fadt + 4) == 276);
  CHECK(ram.sum(fadt, 276) == 0);
  CHECK(((ram.u32(fadt + 112) >> 20) & 1) == 0);  // not HW_REDUCED_ACPI: Linux keeps the 8259
  CHECK(ram.u8(fadt + 108) == 0x32);              // CMOS century register
  CHECK(ram.u32(fadt + 56) == standard::kPortAcpiPm1aEvt);
  CHECK(ram.u32(fadt + 64) == standard::kPortAcpiPm1aCnt);
  CHECK(ram.u64(fadt + 172 + 4) == standard::kPortAcpiPm1aCnt);  // X_PM1a_CNT_BLK address
  CHECK(*ram.mem.try_read<uint16_t>(fadt + 46) == 9);           // SCI_INT
  const uint64_t facs = ram.u64(fadt + 132);
  CHECK(std::memcmp(&ram.bytes[facs], "FACS", 4) == 0);
  CHECK(facs % 64 == 0);
  const uint64_t dsdt = ram.u64(fadt + 140);
  CHECK(std::memcmp(&ram.bytes[dsdt], "DSDT", 4) == 0);
  CHECK(ram.sum(dsdt, ram.u32(dsdt + 4)) == 0);
  CHECK(std::memcmp(&ram.bytes[dsdt + 36], "\x08_S5_\x12", 6) == 0);  // Name (_S5, Package ...)
  CHECK(std::memcmp(&ram.bytes[madt], "APIC", 4) == 0);
  CHECK(ram.sum(madt, ram.u32(madt + 4)) == 0);
  CHECK(ram.u32(madt + 4) == 44 + 2 * 8 + 12 + 6);
  CHECK((ram.u32(madt + 40) & 1) == 1);  // PCAT_COMPAT
  CHECK(standard::kAcpiTables + acpi_tables_size(standard::kMaxVcpus) <= standard::kRsdp);
}

TEST_CASE("Zero page: the setup header fields a 64-bit entry reads, and the e820 map") {
  Ram ram(1 << 20);
  const boot_params bp = linux64::make_zero_page(standard_memory_map(64 << 20));
  REQUIRE(ram.mem.write(standard::kZeroPage, bp));
  REQUIRE(linux64::write_zero_page_instance(ram.mem, standard::kZeroPage, 11, {0x3f00000, 5000}));
  const uint64_t z = standard::kZeroPage;  // offsets from zero-page.rst
  CHECK(*ram.mem.try_read<uint16_t>(z + 0x1fe) == 0xaa55);
  CHECK(ram.u32(z + 0x202) == 0x53726448);
  CHECK(ram.u8(z + 0x210) == 0xff);
  CHECK(ram.u32(z + 0x228) == standard::kCmdline);
  CHECK(ram.u32(z + 0x238) == 12);
  CHECK(ram.u32(z + 0x218) == 0x3f00000);
  CHECK(ram.u32(z + 0x21c) == 5000);
  CHECK(ram.u64(z + 0x070) == standard::kRsdp);
  CHECK(ram.u8(z + 0x1e8) == 4);
  CHECK(ram.u64(z + 0x2d0 + 2 * 20 + 8) == (64 << 20) - 0x100000);
  CHECK(ram.u8(z + 0x1ef) == 0);  // sentinel
}

TEST_CASE("CPUID: RDRAND/RDSEED only where the host has them") {
  CpuidTable t(std::vector<kvm_cpuid_entry2>{leaf(1, 0, 0, 1u << kCpuid1EcxRdrand, 0), leaf(7, 0, 1u << kCpuid7EbxRdseed, 0, 0)});
  add_standard_cpuid(t, {.tsc_khz = 0, .has_lapic = true, .host_rdrand = false, .host_rdseed = false});
  CHECK_FALSE(t.has_feature_ecx1(kCpuid1EcxRdrand));
  CHECK_FALSE(t.has_feature_ebx7(kCpuid7EbxRdseed));
  CpuidTable u(std::vector<kvm_cpuid_entry2>{leaf(1, 0, 0, 1u << kCpuid1EcxRdrand, 0), leaf(7, 0, 1u << kCpuid7EbxRdseed, 0, 0)});
  add_standard_cpuid(u, {.tsc_khz = 0, .has_lapic = true, .host_rdrand = true, .host_rdseed = true});
  CHECK(u.has_feature_ecx1(kCpuid1EcxRdrand));
  CHECK(u.has_feature_ebx7(kCpuid7EbxRdseed));
}

TEST_CASE("CPUID: the TSC-frequency leaf exactly when the TSC is invariant") {
  auto table = [](bool invariant) {
    return CpuidTable(std::vector<kvm_cpuid_entry2>{leaf(0x40000000, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d),
                                                    leaf(0x80000007, 0, 0, 0, invariant ? 1u << 8 : 0)});
  };
  CpuidTable inv = table(true);
  add_standard_cpuid(inv, {.tsc_khz = 2100000, .has_lapic = true});
  REQUIRE(inv.find(0x40000010) != nullptr);
  CHECK(inv.find(0x40000010)->eax == 2100000);
  CHECK(inv.find(0x40000010)->ebx == kKvmApicTimerKhz);
  CHECK(inv.find(0x40000000)->eax == 0x40000010);
  CpuidTable var = table(false);
  add_standard_cpuid(var, {.tsc_khz = 2100000, .has_lapic = true});
  CHECK(var.find(0x40000010) == nullptr);
  CHECK(var.find(0x40000000)->eax == 0x40000001);
}

TEST_CASE("CPUID: TSC-deadline offered with a local APIC when KVM emulates it") {
  CpuidTable t(std::vector<kvm_cpuid_entry2>{leaf(1, 0, 0, 0, 1u << kCpuid1EdxApic)});
  add_standard_cpuid(t, {.tsc_khz = 0, .has_lapic = true, .tsc_deadline = true});
  CHECK(t.has_feature_ecx1(kCpuid1EcxTscDeadline));
}

TEST_CASE("CPUID: no APIC, x2APIC or TSC-deadline bits without a local APIC") {
  const uint32_t ecx = (1u << kCpuid1EcxX2apic) | (1u << kCpuid1EcxTscDeadline);
  CpuidTable t(std::vector<kvm_cpuid_entry2>{leaf(1, 0, 0, ecx, 1u << kCpuid1EdxApic)});
  add_standard_cpuid(t, {.tsc_khz = 0, .has_lapic = false, .tsc_deadline = true});
  CHECK(t.find(1)->edx == 0);
  CHECK(t.find(1)->ecx == 0);
}
