// Overflow-safe arithmetic for values that come from guests or image files.
#pragma once

#include <cstdint>
#include <optional>

namespace vmm {

// a + b, or nullopt on unsigned overflow.
inline std::optional<uint64_t> checked_add(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

inline std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// True when [base, base + len) lies inside [0, limit) without overflow. len 0 is inside
// when base <= limit.
inline bool range_within(uint64_t base, uint64_t len, uint64_t limit) {
  uint64_t end;
  if (__builtin_add_overflow(base, len, &end)) return false;
  return end <= limit;
}

// True when the half-open ranges [a, a + alen) and [b, b + blen) share a byte.
// Callers pass ranges already known not to overflow.
inline bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

constexpr uint64_t align_down(uint64_t v, uint64_t align) { return v & ~(align - 1); }
// Caller guarantees v + align - 1 does not overflow.
constexpr uint64_t align_up(uint64_t v, uint64_t align) { return (v + align - 1) & ~(align - 1); }
constexpr bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace vmm
