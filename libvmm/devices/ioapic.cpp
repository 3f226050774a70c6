#include "devices/ioapic.h"

#include <cstring>

#include "kvm/ioctl.h"
#include "kvm/uapi.h"
#include "vmm/vm.h"

namespace vmm {
namespace {

// Direct registers (datasheet 3.1) and indirect ones (3.2).
constexpr uint64_t kRegSelect = 0x00, kRegWindow = 0x10;
constexpr uint8_t kIndexId = 0x00, kIndexVersion = 0x01, kIndexArbitration = 0x02, kIndexRedirection = 0x10;
constexpr uint32_t kVersion = 0x11 | ((Ioapic::kPins - 1) << 16);  // version, max redirection entry

// Redirection entry fields (datasheet 3.2.4).
constexpr uint64_t kEntryMasked = 1ull << 16;
constexpr uint64_t kEntryReadOnly = (1ull << 12) | (1ull << 14);  // delivery status, remote IRR
constexpr uint32_t kMsiAddressBase = 0xfee00000;  // Intel SDM vol. 3A 11.11.1

uint64_t msi_address(uint64_t entry) {
  const uint64_t dest = entry >> 56;           // physical APIC ID or logical set
  const uint64_t logical = (entry >> 11) & 1;  // destination mode
  return kMsiAddressBase | (dest << 12) | (logical << 2);
}

uint32_t msi_data(uint64_t entry) {
  const uint32_t vector = entry & 0xff;
  const uint32_t delivery = (entry >> 8) & 0x7;
  return vector | (delivery << 8);  // edge-triggered (SDM 11.11.2: trigger bit 15 clear)
}

}  // namespace

Ioapic::Ioapic(Vm& vm, uint8_t id) : vm_(vm), id_(id) { entries_.fill(kEntryMasked); }

void Ioapic::mmio_read(uint64_t offset, std::span<uint8_t> data) {
  std::fill(data.begin(), data.end(), uint8_t{0});
  if (data.size() != 4) return;
  std::lock_guard lock(mutex_);
  uint32_t value = 0;
  if (offset == kRegSelect) value = select_;
  else if (offset == kRegWindow) value = read_indirect(select_);
  std::memcpy(data.data(), &value, 4);
}

void Ioapic::mmio_write(uint64_t offset, std::span<const uint8_t> data) {
  if (data.size() != 4) return;
  uint32_t value;
  std::memcpy(&value, data.data(), 4);
  std::lock_guard lock(mutex_);
  if (offset == kRegSelect) select_ = static_cast<uint8_t>(value);
  else if (offset == kRegWindow) write_indirect(select_, value);
}

uint32_t Ioapic::read_indirect(uint8_t index) const {
  switch (index) {
    case kIndexId: return uint32_t{id_} << 24;
    case kIndexVersion: return kVersion;
    case kIndexArbitration: return uint32_t{id_} << 24;
    default: break;
  }
  if (index < kIndexRedirection || index >= kIndexRedirection + 2 * kPins) return 0;
  const uint64_t e = entries_[(index - kIndexRedirection) / 2];
  return (index & 1) ? static_cast<uint32_t>(e >> 32) : static_cast<uint32_t>(e);
}

void Ioapic::write_indirect(uint8_t index, uint32_t value) {
  if (index == kIndexId) {
    id_ = (value >> 24) & 0x0f;
    return;
  }
  if (index < kIndexRedirection || index >= kIndexRedirection + 2 * kPins) return;
  uint64_t& e = entries_[(index - kIndexRedirection) / 2];
  if (index & 1) {
    e = (e & 0xffffffffull) | (uint64_t{value} << 32);
  } else {
    e = (e & ~0xffffffffull) | (value & ~kEntryReadOnly) | (e & kEntryReadOnly);
  }
  update_routes();
}

void Ioapic::update_routes() {
  std::vector<uint64_t> wanted;
  for (uint32_t pin = 0; pin < kPins; ++pin) {
    const uint64_t e = entries_[pin];
    if (e & kEntryMasked) continue;
    wanted.insert(wanted.end(), {pin, msi_address(e), msi_data(e)});
  }
  if (wanted == routed_) return;  // each KVM_SET_GSI_ROUTING waits for an SRCU grace period
  const size_t n = wanted.size() / 3;
  std::vector<uint8_t> buffer(sizeof(kvm_uapi::IrqRoutingHeader) + n * sizeof(kvm_irq_routing_entry));
  const kvm_uapi::IrqRoutingHeader header{static_cast<uint32_t>(n), 0};
  std::memcpy(buffer.data(), &header, sizeof header);
  for (size_t i = 0; i < n; ++i) {
    kvm_irq_routing_entry r{};
    r.gsi = static_cast<uint32_t>(wanted[3 * i]);
    r.type = KVM_IRQ_ROUTING_MSI;
    r.u.msi.address_lo = static_cast<uint32_t>(wanted[3 * i + 1]);
    r.u.msi.data = static_cast<uint32_t>(wanted[3 * i + 2]);
    std::memcpy(buffer.data() + sizeof header + i * sizeof r, &r, sizeof r);
  }
  if (kvm_ioctl(vm_.fd(), kvm_uapi::kSetGsiRouting, buffer.data()) < 0) {
    ++routing_errors_;
    return;
  }
  routed_ = std::move(wanted);
}

uint64_t Ioapic::entry(uint32_t pin) const {
  std::lock_guard lock(mutex_);
  return pin < kPins ? entries_[pin] : 0;
}

uint64_t Ioapic::routing_errors() const {
  std::lock_guard lock(mutex_);
  return routing_errors_;
}

}  // namespace vmm
