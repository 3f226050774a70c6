// 4-level identity page tables built by the VMM in guest memory (Intel SDM vol. 3A,
// section 4.5). Accessed and dirty bits are preset in every entry, so neither the CPU nor
// KVM's shadow MMU ever writes the tables: they can live in copy-on-write template pages
// shared by all instances.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "vmm/guest_memory.h"
#include "vmm/result.h"

namespace vmm::x86 {

struct PagePerms {
  bool writable = false;
  bool user = false;
  bool executable = false;
  bool uncached = false;
};

// An identity mapping of [gpa, gpa + size); both page-aligned.
struct PageMapping {
  uint64_t gpa = 0;
  uint64_t size = 0;
  PagePerms perms;
};

struct PageTables {
  uint64_t cr3 = 0;         // address of the PML4
  uint64_t tables_end = 0;  // first byte after the last table page used
};

// Builds tables in [table_base, table_limit) of `mem` (which must be zero there) for the
// given mappings (sorted, non-overlapping, page-aligned, below 512 GiB). A 2 MiB region
// covered whole by one mapping gets a large page, other regions 4 KiB pages. Fails when
// the tables do not fit or a mapping is malformed.
Result<PageTables> build_identity_page_tables(const GuestMemory& mem, uint64_t table_base,
                                              uint64_t table_limit,
                                              std::span<const PageMapping> mappings);

struct Translation {
  uint64_t gpa = 0;
  PagePerms perms;  // effective permissions (AND over the levels; NX as OR)
};
// Walks the tables at cr3 like the CPU would (4-level, PAE). nullopt when not present.
// Table addresses come from guest memory: every step is bounds-checked.
std::optional<Translation> translate(const GuestMemory& mem, uint64_t cr3, uint64_t va);

// Entry bits.
inline constexpr uint64_t kPtePresent = 1ull << 0;
inline constexpr uint64_t kPteWritable = 1ull << 1;
inline constexpr uint64_t kPteUser = 1ull << 2;
inline constexpr uint64_t kPteWriteThrough = 1ull << 3;
inline constexpr uint64_t kPteCacheDisable = 1ull << 4;
inline constexpr uint64_t kPteAccessed = 1ull << 5;
inline constexpr uint64_t kPteDirty = 1ull << 6;
inline constexpr uint64_t kPteLarge = 1ull << 7;
inline constexpr uint64_t kPteNoExecute = 1ull << 63;
inline constexpr uint64_t kPteAddressMask = 0x000ffffffffff000ull;

}  // namespace vmm::x86
