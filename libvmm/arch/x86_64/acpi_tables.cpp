#include "arch/x86_64/acpi_tables.h"

#include <cstring>
#include <span>
#include <vector>

#include "arch/x86_64/layout.h"

namespace vmm::x86 {
namespace {

// ACPI 6.5 section 5.2.6: the header every system description table starts with.
struct [[gnu::packed]] TableHeader {
  char signature[4];
  uint32_t length;
  uint8_t revision;
  uint8_t checksum;
  char oem_id[6];
  char oem_table_id[8];
  uint32_t oem_revision;
  char creator_id[4];
  uint32_t creator_revision;
};

// Section 5.2.5.3: Root System Description Pointer, revision 2.
struct [[gnu::packed]] Rsdp {
  char signature[8];  // "RSD PTR "
  uint8_t checksum;   // first 20 bytes
  char oem_id[6];
  uint8_t revision;
  uint32_t rsdt_address;
  uint32_t length;
  uint64_t xsdt_address;
  uint8_t extended_checksum;  // all 36 bytes
  uint8_t reserved[3];
};

static_assert(sizeof(TableHeader) == 36 && sizeof(Rsdp) == 36);

// Section 5.2.9, table 5.9: FADT byte offsets of the fields we set (revision 6).
constexpr size_t kFadtSize = 276;
constexpr size_t kFadtFirmwareCtrl = 36, kFadtDsdt = 40, kFadtSciInt = 46, kFadtPm1aEvt = 56, kFadtPm1aCnt = 64;
constexpr size_t kFadtPm1EvtLen = 88, kFadtPm1CntLen = 89, kFadtCentury = 108, kFadtBootArch = 109;
constexpr size_t kFadtFlags = 112, kFadtResetReg = 116, kFadtResetValue = 128, kFadtMinorVersion = 131;
constexpr size_t kFadtXFirmwareCtrl = 132, kFadtXDsdt = 140, kFadtXPm1aEvt = 148, kFadtXPm1aCnt = 172;
constexpr size_t kFadtHypervisorId = 268;
constexpr uint16_t kBootArchLegacyDevices = 1u << 0, kBootArch8042 = 1u << 1, kBootArchNoVga = 1u << 2;
// WBINVD works; power and sleep buttons, if any, are control-method devices (there are
// none); the reset register is supported.
constexpr uint32_t kFadtFlagsValue = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 10);
constexpr uint8_t kCmosCentury = 0x32;
constexpr uint8_t kI8042ResetCommand = 0xfe;  // the reset register is the i8042 command port

// Section 5.2.3.2: Generic Address Structure, here always in system I/O space.
struct [[gnu::packed]] Gas {
  uint8_t space_id = 1;  // system I/O
  uint8_t bit_width;
  uint8_t bit_offset = 0;
  uint8_t access_size;  // 1 byte, 2 word, 3 dword
  uint64_t address;
};
static_assert(sizeof(Gas) == 12);

// Section 5.2.10: Firmware ACPI Control Structure (64 bytes, 64-byte aligned): no waking
// vector, a global lock nobody takes.
constexpr size_t kFacsSize = 64;

// Section 5.2.12: MADT header fields and interrupt controller structures.
constexpr uint32_t kMadtPcatCompat = 1u << 0;  // dual 8259s present
constexpr uint8_t kMadtLocalApic = 0, kMadtIoApic = 1, kMadtLocalApicNmi = 4;
constexpr uint32_t kLocalApicEnabled = 1u << 0;

// The DSDT's only content (ACPI 6.5 section 20, AML): Name (_S5, Package () {5, 5, 0, 0}),
// the SLP_TYP values that make PM1a_CNT power the machine off (section 7.4.2).
constexpr uint8_t kDsdtS5[] = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};

uint8_t checksum(std::span<const uint8_t> bytes) {
  uint8_t sum = 0;
  for (uint8_t b : bytes) sum = static_cast<uint8_t>(sum + b);
  return static_cast<uint8_t>(-sum);
}

template <class T>
void put(std::vector<uint8_t>& out, size_t offset, const T& value) {
  if (out.size() < offset + sizeof(T)) out.resize(offset + sizeof(T));
  std::memcpy(out.data() + offset, &value, sizeof(T));
}

// A table: header (length and checksum filled in) followed by `body`.
std::vector<uint8_t> table(const char (&signature)[5], uint8_t revision, std::vector<uint8_t> body) {
  TableHeader h{};
  std::memcpy(h.signature, signature, 4);
  h.length = static_cast<uint32_t>(sizeof h + body.size());
  h.revision = revision;
  std::memcpy(h.oem_id, "LIBVMM", 6);
  std::memcpy(h.oem_table_id, "LIBVMM  ", 8);
  h.oem_revision = 1;
  std::memcpy(h.creator_id, "LVMM", 4);
  h.creator_revision = 1;
  std::vector<uint8_t> out(h.length);
  std::memcpy(out.data(), &h, sizeof h);
  if (!body.empty()) std::memcpy(out.data() + sizeof h, body.data(), body.size());
  out[offsetof(TableHeader, checksum)] = checksum(out);
  return out;
}

std::vector<uint8_t> fadt(uint64_t dsdt, uint64_t facs) {
  std::vector<uint8_t> body(kFadtSize - sizeof(TableHeader));
  auto at = [](size_t offset) { return offset - sizeof(TableHeader); };
  put(body, at(kFadtFirmwareCtrl), static_cast<uint32_t>(facs));
  put(body, at(kFadtDsdt), static_cast<uint32_t>(dsdt));
  put(body, at(kFadtSciInt), static_cast<uint16_t>(standard::kIrqAcpiSci));
  // SMI_CMD stays 0: the platform is always in ACPI mode (PM1_CNT.SCI_EN reads 1).
  put(body, at(kFadtPm1aEvt), static_cast<uint32_t>(standard::kPortAcpiPm1aEvt));
  put(body, at(kFadtPm1aCnt), static_cast<uint32_t>(standard::kPortAcpiPm1aCnt));
  put(body, at(kFadtPm1EvtLen), uint8_t{4});
  put(body, at(kFadtPm1CntLen), uint8_t{2});
  put(body, at(kFadtCentury), kCmosCentury);
  put(body, at(kFadtBootArch), static_cast<uint16_t>(kBootArchLegacyDevices | kBootArch8042 | kBootArchNoVga));
  put(body, at(kFadtFlags), kFadtFlagsValue);
  put(body, at(kFadtResetReg), Gas{.bit_width = 8, .access_size = 1, .address = standard::kPortI8042 + 4});
  put(body, at(kFadtResetValue), kI8042ResetCommand);
  put(body, at(kFadtMinorVersion), uint8_t{5});
  put(body, at(kFadtXFirmwareCtrl), facs);
  put(body, at(kFadtXDsdt), dsdt);
  put(body, at(kFadtXPm1aEvt), Gas{.bit_width = 32, .access_size = 2, .address = standard::kPortAcpiPm1aEvt});
  put(body, at(kFadtXPm1aCnt), Gas{.bit_width = 16, .access_size = 2, .address = standard::kPortAcpiPm1aCnt});
  std::memcpy(body.data() + at(kFadtHypervisorId), "LIBVMM\0\0", 8);
  return table("FACP", 6, std::move(body));
}

std::vector<uint8_t> facs() {
  std::vector<uint8_t> out(kFacsSize);
  std::memcpy(out.data(), "FACS", 4);
  put(out, 4, static_cast<uint32_t>(kFacsSize));
  put(out, 32, uint8_t{2});  // version
  return out;
}

std::vector<uint8_t> madt(uint32_t vcpu_count) {
  std::vector<uint8_t> body;
  put(body, 0, static_cast<uint32_t>(standard::kLapic));
  put(body, 4, kMadtPcatCompat);
  for (uint32_t i = 0; i < vcpu_count; ++i) {
    const uint8_t id = static_cast<uint8_t>(i);
    body.insert(body.end(), {kMadtLocalApic, 8, id, id});  // type, length, UID, APIC ID
    put(body, body.size(), kLocalApicEnabled);
  }
  body.insert(body.end(), {kMadtIoApic, 12, static_cast<uint8_t>(vcpu_count), 0});  // type, length, ID, reserved
  put(body, body.size(), static_cast<uint32_t>(standard::kIoapic));
  put(body, body.size(), uint32_t{0});  // global system interrupt base
  body.insert(body.end(), {kMadtLocalApicNmi, 6, 0xff, 0, 0, 1});  // all processors, flags 0, LINT1
  return table("APIC", 6, std::move(body));
}

}  // namespace

uint64_t acpi_tables_size(uint32_t vcpu_count) {
  return kFacsSize + (sizeof(TableHeader) + sizeof kDsdtS5 + 15) + kFadtSize + 15 +
         (sizeof(TableHeader) + 8 + 8ull * vcpu_count + 12 + 6 + 15) + (sizeof(TableHeader) + 16);
}

Result<void> write_acpi_tables(const GuestMemory& mem, uint64_t rsdp, uint64_t tables, uint32_t vcpu_count) {
  uint64_t next = tables;  // 64-byte aligned: the FACS comes first
  auto place = [&](const std::vector<uint8_t>& t) -> Result<uint64_t> {
    const uint64_t at = next;
    VMM_TRY(mem.write_bytes(at, std::as_bytes(std::span(t))));
    next += (t.size() + 15) & ~uint64_t{15};
    return at;
  };
  const uint64_t facs_at = VMM_TRY(place(facs()));
  const uint64_t dsdt = VMM_TRY(place(table("DSDT", 2, {std::begin(kDsdtS5), std::end(kDsdtS5)})));
  const uint64_t facp = VMM_TRY(place(fadt(dsdt, facs_at)));
  const uint64_t apic = VMM_TRY(place(madt(vcpu_count)));
  std::vector<uint8_t> entries;
  put(entries, 0, facp);
  put(entries, 8, apic);
  const uint64_t xsdt = VMM_TRY(place(table("XSDT", 1, std::move(entries))));

  Rsdp r{};
  std::memcpy(r.signature, "RSD PTR ", 8);
  std::memcpy(r.oem_id, "LIBVMM", 6);
  r.revision = 2;
  r.length = sizeof r;
  r.xsdt_address = xsdt;
  r.checksum = checksum({reinterpret_cast<const uint8_t*>(&r), 20});
  r.extended_checksum = checksum({reinterpret_cast<const uint8_t*>(&r), sizeof r});
  return mem.write(rsdp, r);
}

}  // namespace vmm::x86
