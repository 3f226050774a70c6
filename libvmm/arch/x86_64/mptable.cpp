#include "arch/x86_64/mptable.h"

#include <cstring>
#include <span>
#include <vector>

#include "arch/x86_64/layout.h"

namespace vmm::x86 {
namespace {

// MP spec 1.4 table 4-1: MP floating pointer structure (16 bytes).
struct [[gnu::packed]] FloatingPointer {
  char signature[4];      // "_MP_"
  uint32_t config_table;  // physical address of the configuration table
  uint8_t length;         // in 16-byte units: 1
  uint8_t spec_rev;       // 4 = version 1.4
  uint8_t checksum;       // all bytes sum to 0
  uint8_t features[5];    // feature byte 1 = 0: a configuration table is present
};

// Table 4-2: configuration table header (44 bytes).
struct [[gnu::packed]] ConfigHeader {
  char signature[4];  // "PCMP"
  uint16_t base_length;
  uint8_t spec_rev;
  uint8_t checksum;
  char oem_id[8];
  char product_id[12];
  uint32_t oem_table;
  uint16_t oem_table_size;
  uint16_t entry_count;
  uint32_t lapic_address;
  uint16_t ext_length;
  uint8_t ext_checksum;
  uint8_t reserved;
};

// Table 4-4: processor entry (20 bytes).
struct [[gnu::packed]] ProcessorEntry {
  uint8_t type;  // 0
  uint8_t apic_id;
  uint8_t apic_version;
  uint8_t flags;  // bit 0 EN (usable), bit 1 BP (bootstrap processor)
  uint32_t signature;
  uint32_t features;
  uint32_t reserved[2];
};

// Table 4-6: bus entry (8 bytes).
struct [[gnu::packed]] BusEntry {
  uint8_t type;  // 1
  uint8_t bus_id;
  char bus_type[6];  // "ISA   "
};

// Table 4-7: I/O APIC entry (8 bytes).
struct [[gnu::packed]] IoApicEntry {
  uint8_t type;  // 2
  uint8_t id;
  uint8_t version;
  uint8_t flags;  // bit 0 EN
  uint32_t address;
};

// Tables 4-8 and 4-10: I/O interrupt (type 3) and local interrupt (type 4) entries.
struct [[gnu::packed]] InterruptEntry {
  uint8_t type;
  uint8_t irq_type;  // 0 INT, 1 NMI, 2 SMI, 3 ExtINT
  uint16_t flags;    // 0: polarity and trigger conform to the bus (ISA: edge, high)
  uint8_t source_bus;
  uint8_t source_irq;
  uint8_t dest_apic;  // IOAPIC ID (type 3) or local APIC ID, 0xff = all (type 4)
  uint8_t dest_pin;   // INTIN# or LINTIN#
};

static_assert(sizeof(FloatingPointer) == 16 && sizeof(ConfigHeader) == 44 && sizeof(ProcessorEntry) == 20);
static_assert(sizeof(BusEntry) == 8 && sizeof(IoApicEntry) == 8 && sizeof(InterruptEntry) == 8);

constexpr uint8_t kLapicVersion = 0x14;   // integrated APIC, what KVM reports
constexpr uint8_t kIoapicVersion = 0x11;  // KVM's IOAPIC version register
constexpr uint32_t kCpuSignature = 0x600;  // family 6
constexpr uint32_t kCpuFeatures = (1u << 0) | (1u << 9);  // FPU, APIC
constexpr uint8_t kIrqInt = 0, kIrqNmi = 1, kIrqExtInt = 3;

uint8_t checksum(std::span<const uint8_t> bytes) {
  uint8_t sum = 0;
  for (uint8_t b : bytes) sum = static_cast<uint8_t>(sum + b);
  return static_cast<uint8_t>(-sum);
}

template <class T>
void append(std::vector<uint8_t>& out, const T& entry) {
  const auto* p = reinterpret_cast<const uint8_t*>(&entry);
  out.insert(out.end(), p, p + sizeof(T));
}

}  // namespace

uint64_t mptable_size(uint32_t vcpu_count) {
  return sizeof(FloatingPointer) + sizeof(ConfigHeader) + uint64_t{vcpu_count} * sizeof(ProcessorEntry) +
         sizeof(BusEntry) + sizeof(IoApicEntry) + (standard::kIoapicPins + 2) * sizeof(InterruptEntry);
}

Result<void> write_mptable(const GuestMemory& mem, uint64_t addr, uint32_t vcpu_count) {
  const uint8_t ioapic_id = static_cast<uint8_t>(vcpu_count);
  std::vector<uint8_t> entries;
  uint16_t count = 0;
  for (uint32_t i = 0; i < vcpu_count; ++i, ++count) {
    ProcessorEntry p{};
    p.apic_id = static_cast<uint8_t>(i);
    p.apic_version = kLapicVersion;
    p.flags = static_cast<uint8_t>(1 | (i == 0 ? 2 : 0));
    p.signature = kCpuSignature;
    p.features = kCpuFeatures;
    append(entries, p);
  }
  BusEntry bus{1, 0, {'I', 'S', 'A', ' ', ' ', ' '}};
  append(entries, bus), ++count;
  append(entries, IoApicEntry{2, ioapic_id, kIoapicVersion, 1, static_cast<uint32_t>(standard::kIoapic)}), ++count;
  for (uint8_t irq = 0; irq < standard::kIoapicPins; ++irq, ++count) {
    append(entries, InterruptEntry{3, kIrqInt, 0, 0, irq, ioapic_id, irq});
  }
  append(entries, InterruptEntry{4, kIrqExtInt, 0, 0, 0, 0xff, 0}), ++count;
  append(entries, InterruptEntry{4, kIrqNmi, 0, 0, 0, 0xff, 1}), ++count;

  ConfigHeader h{};
  std::memcpy(h.signature, "PCMP", 4);
  h.base_length = static_cast<uint16_t>(sizeof(ConfigHeader) + entries.size());
  h.spec_rev = 4;
  std::memcpy(h.oem_id, "LIBVMM  ", 8);
  std::memcpy(h.product_id, "STANDARD    ", 12);
  h.entry_count = count;
  h.lapic_address = static_cast<uint32_t>(standard::kLapic);
  std::vector<uint8_t> table;
  append(table, h);
  table.insert(table.end(), entries.begin(), entries.end());
  table[offsetof(ConfigHeader, checksum)] = checksum(table);

  FloatingPointer fp{};
  std::memcpy(fp.signature, "_MP_", 4);
  fp.config_table = static_cast<uint32_t>(addr + sizeof(FloatingPointer));
  fp.length = 1;
  fp.spec_rev = 4;
  fp.checksum = checksum({reinterpret_cast<const uint8_t*>(&fp), sizeof fp});

  VMM_TRY(mem.write(addr, fp));
  return mem.write_bytes(addr + sizeof fp, std::as_bytes(std::span(table)));
}

}  // namespace vmm::x86
