#include "vmm/guest_memory.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/checked_math.h"

namespace vmm {

void GuestMemory::add_region(GuestRegion region) {
  // Host-side invariants: sorted, non-overlapping, no wrap-around, bounded count.
  if (count_ == kMaxRegions || region.host == nullptr || !checked_add(region.gpa, region.size) ||
      (count_ > 0 && region.gpa < end())) {
    std::abort();
  }
  regions_[count_++] = region;
}

std::byte* GuestMemory::host_ptr(uint64_t gpa, uint64_t len) const noexcept {
  uint64_t last;
  if (__builtin_add_overflow(gpa, len, &last)) return nullptr;
  for (size_t i = 0; i < count_; ++i) {
    const GuestRegion& r = regions_[i];
    if (gpa < r.gpa) break;
    uint64_t offset = gpa - r.gpa;
    if (offset <= r.size && len <= r.size - offset) return r.host + offset;
  }
  return nullptr;
}

Error GuestMemory::range_error(uint64_t gpa, uint64_t len) {
  auto end = checked_add(gpa, len);
  if (!end) return Error(fmt::format("guest range at {:#x} of {:#x} bytes overflows", gpa, len));
  return Error(fmt::format("guest range [{:#x}, {:#x}) lies outside guest RAM", gpa, *end));
}

Result<std::span<std::byte>> GuestMemory::span(uint64_t gpa, uint64_t len) const {
  auto s = try_span(gpa, len);
  if (!s) return range_error(gpa, len);
  return *s;
}

Result<void> GuestMemory::read_bytes(uint64_t gpa, std::span<std::byte> out) const {
  std::byte* p = host_ptr(gpa, out.size());
  if (p == nullptr) return range_error(gpa, out.size());
  if (!out.empty()) std::memcpy(out.data(), p, out.size());
  return {};
}

Result<void> GuestMemory::write_bytes(uint64_t gpa, std::span<const std::byte> in) const {
  std::byte* p = host_ptr(gpa, in.size());
  if (p == nullptr) return range_error(gpa, in.size());
  if (!in.empty()) std::memcpy(p, in.data(), in.size());
  return {};
}

}  // namespace vmm
