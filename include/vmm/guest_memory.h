// GuestMemory: a bounds-checked view of guest RAM. Every guest-physical range is checked
// whole, with overflow-safe arithmetic, against the RAM regions before a host pointer is
// handed out; a range must lie inside one region. The view does not own the memory.
//
// Guest memory can change under the VMM at any time (another vCPU, a hostile guest):
// copy a guest structure out once with read<T>() and validate the copy.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

#include "vmm/result.h"

namespace vmm {

struct GuestRegion {
  uint64_t gpa = 0;
  uint64_t size = 0;
  std::byte* host = nullptr;
};

class GuestMemory {
 public:
  static constexpr size_t kMaxRegions = 4;

  GuestMemory() = default;
  // One region at guest-physical 0.
  GuestMemory(std::byte* host, uint64_t size) { add_region({0, size, host}); }
  // Regions must be added in ascending, non-overlapping order; aborts otherwise (a host
  // programming error, not guest input).
  void add_region(GuestRegion region);

  std::span<const GuestRegion> regions() const { return {regions_.data(), count_}; }
  // One past the highest guest-physical RAM address.
  uint64_t end() const { return count_ ? regions_[count_ - 1].gpa + regions_[count_ - 1].size : 0; }

  // True when [gpa, gpa + len) lies inside one RAM region.
  bool contains(uint64_t gpa, uint64_t len) const noexcept { return host_ptr(gpa, len) != nullptr; }

  // Host address of [gpa, gpa + len), or nullptr when any byte is outside RAM or the range
  // overflows. len 0 yields a valid pointer when gpa is inside or at the end of a region.
  std::byte* host_ptr(uint64_t gpa, uint64_t len) const noexcept;

  std::optional<std::span<std::byte>> try_span(uint64_t gpa, uint64_t len) const noexcept {
    std::byte* p = host_ptr(gpa, len);
    if (p == nullptr) return std::nullopt;
    return std::span<std::byte>(p, len);
  }
  // As try_span, with an error naming the range.
  Result<std::span<std::byte>> span(uint64_t gpa, uint64_t len) const;

  template <class T>
  std::optional<T> try_read(uint64_t gpa) const noexcept {
    static_assert(std::is_trivially_copyable_v<T>);
    std::byte* p = host_ptr(gpa, sizeof(T));
    if (p == nullptr) return std::nullopt;
    T value;
    std::memcpy(&value, p, sizeof(T));
    return value;
  }
  template <class T>
  Result<T> read(uint64_t gpa) const {
    auto v = try_read<T>(gpa);
    if (!v) return range_error(gpa, sizeof(T));
    return *v;
  }

  template <class T>
  bool try_write(uint64_t gpa, const T& value) const noexcept {
    static_assert(std::is_trivially_copyable_v<T>);
    std::byte* p = host_ptr(gpa, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(p, &value, sizeof(T));
    return true;
  }
  template <class T>
  Result<void> write(uint64_t gpa, const T& value) const {
    if (!try_write(gpa, value)) return range_error(gpa, sizeof(T));
    return {};
  }

  Result<void> read_bytes(uint64_t gpa, std::span<std::byte> out) const;
  Result<void> write_bytes(uint64_t gpa, std::span<const std::byte> in) const;

  // Atomic access for shared ring indices; gpa must be aligned to sizeof(T).
  // Returns nullopt/false when out of range or misaligned.
  template <class T>
  std::optional<T> load_acquire(uint64_t gpa) const noexcept {
    T* p = aligned_ptr<T>(gpa);
    if (p == nullptr) return std::nullopt;
    return std::atomic_ref<T>(*p).load(std::memory_order_acquire);
  }
  template <class T>
  bool store_release(uint64_t gpa, T value) const noexcept {
    T* p = aligned_ptr<T>(gpa);
    if (p == nullptr) return false;
    std::atomic_ref<T>(*p).store(value, std::memory_order_release);
    return true;
  }

  // "guest range [0x.., 0x..) lies outside guest RAM"
  static Error range_error(uint64_t gpa, uint64_t len);

 private:
  template <class T>
  T* aligned_ptr(uint64_t gpa) const noexcept {
    static_assert(std::is_integral_v<T>);
    if (gpa % alignof(T) != 0) return nullptr;
    return reinterpret_cast<T*>(host_ptr(gpa, sizeof(T)));
  }

  std::array<GuestRegion, kMaxRegions> regions_{};
  size_t count_ = 0;
};

}  // namespace vmm
