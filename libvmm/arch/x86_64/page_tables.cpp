#include "arch/x86_64/page_tables.h"

#include <fmt/format.h>

#include "arch/x86_64/layout.h"
#include "core/checked_math.h"

namespace vmm::x86 {
namespace {

constexpr uint64_t kTableBits = kPtePresent | kPteWritable | kPteUser | kPteAccessed;
constexpr uint64_t kMaxAddress = 512ull << 30;  // one PML4 entry's worth

uint64_t leaf_bits(const PagePerms& p) {
  uint64_t bits = kPtePresent | kPteAccessed | kPteDirty;
  if (p.writable) bits |= kPteWritable;
  if (p.user) bits |= kPteUser;
  if (!p.executable) bits |= kPteNoExecute;
  if (p.uncached) bits |= kPteCacheDisable | kPteWriteThrough;
  return bits;
}

class TableAllocator {
 public:
  TableAllocator(const GuestMemory& mem, uint64_t base, uint64_t limit)
      : mem_(mem), base_(base), next_(base), limit_(limit) {}

  Result<uint64_t> allocate() {
    if (next_ + kPageSize > limit_) {
      return Error(fmt::format("page tables do not fit in [{:#x}, {:#x})", base_, limit_));
    }
    if (!mem_.contains(next_, kPageSize)) return GuestMemory::range_error(next_, kPageSize);
    uint64_t page = next_;
    next_ += kPageSize;
    return page;
  }
  uint64_t end() const { return next_; }

 private:
  const GuestMemory& mem_;
  uint64_t base_;
  uint64_t next_;
  uint64_t limit_;
};

uint64_t* entry_at(const GuestMemory& mem, uint64_t table, uint64_t index) {
  return reinterpret_cast<uint64_t*>(mem.host_ptr(table + index * 8, 8));
}

// Returns the table the entry at table[index] points to, creating it if absent.
Result<uint64_t> next_level(const GuestMemory& mem, TableAllocator& alloc, uint64_t table, uint64_t index) {
  uint64_t* e = entry_at(mem, table, index);
  if (*e & kPtePresent) {
    if (*e & kPteLarge) return Error("page table builder: mappings overlap a large page");
    return *e & kPteAddressMask;
  }
  uint64_t child = VMM_TRY(alloc.allocate());
  *e = child | kTableBits;
  return child;
}

}  // namespace

Result<PageTables> build_identity_page_tables(const GuestMemory& mem, uint64_t table_base,
                                              uint64_t table_limit,
                                              std::span<const PageMapping> mappings) {
  TableAllocator alloc(mem, table_base, table_limit);
  const uint64_t pml4 = VMM_TRY(alloc.allocate());
  uint64_t previous_end = 0;
  for (const PageMapping& m : mappings) {
    if (m.gpa % kPageSize != 0 || m.size % kPageSize != 0 || m.size == 0 ||
        !range_within(m.gpa, m.size, kMaxAddress) || m.gpa < previous_end) {
      return Error(fmt::format("page table builder: bad mapping [{:#x}, +{:#x})", m.gpa, m.size));
    }
    previous_end = m.gpa + m.size;
    const uint64_t bits = leaf_bits(m.perms);
    uint64_t addr = m.gpa;
    const uint64_t end = m.gpa + m.size;
    while (addr < end) {
      uint64_t pdpt = VMM_TRY(next_level(mem, alloc, pml4, (addr >> 39) & 511));
      uint64_t pd = VMM_TRY(next_level(mem, alloc, pdpt, (addr >> 30) & 511));
      uint64_t* pde = entry_at(mem, pd, (addr >> 21) & 511);
      if (addr % kLargePageSize == 0 && end - addr >= kLargePageSize && !(*pde & kPtePresent)) {
        *pde = addr | bits | kPteLarge;
        addr += kLargePageSize;
        continue;
      }
      uint64_t pt = VMM_TRY(next_level(mem, alloc, pd, (addr >> 21) & 511));
      uint64_t chunk_end = std::min(end, align_down(addr, kLargePageSize) + kLargePageSize);
      for (; addr < chunk_end; addr += kPageSize) *entry_at(mem, pt, (addr >> 12) & 511) = addr | bits;
    }
  }
  return PageTables{pml4, alloc.end()};
}

std::optional<Translation> translate(const GuestMemory& mem, uint64_t cr3, uint64_t va) {
  Translation t;
  t.perms = {true, true, true, false};
  uint64_t table = cr3 & kPteAddressMask;
  for (int level = 3; level >= 0; --level) {
    uint64_t index = (va >> (12 + 9 * level)) & 511;
    auto entry = mem.try_read<uint64_t>(table + index * 8);
    if (!entry || !(*entry & kPtePresent)) return std::nullopt;
    t.perms.writable &= (*entry & kPteWritable) != 0;
    t.perms.user &= (*entry & kPteUser) != 0;
    t.perms.executable &= (*entry & kPteNoExecute) == 0;
    t.perms.uncached |= (*entry & kPteCacheDisable) != 0;
    bool large = (level == 1 || level == 2) && (*entry & kPteLarge);
    if (level == 0 || large) {
      uint64_t page_mask = (1ull << (12 + 9 * level)) - 1;
      t.gpa = (*entry & kPteAddressMask & ~page_mask) | (va & page_mask);
      return t;
    }
    table = *entry & kPteAddressMask;
  }
  return std::nullopt;
}

}  // namespace vmm::x86
