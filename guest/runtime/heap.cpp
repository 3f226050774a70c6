#include "rt/heap.h"

#include "rt/string.h"

namespace rt {
namespace {

// Every block starts with a header; free blocks form an address-ordered list so
// neighbours coalesce. Sizes include the header and are multiples of 16.
struct Block {
  size_t size;
  Block* next;  // valid while free
};
constexpr size_t kAlign = 16;
constexpr size_t kHeader = 16;
Block* free_list = nullptr;
// Regions are only recorded at boot and turned into free blocks on the first malloc, so
// a guest that never allocates never touches (and never faults in) heap pages.
struct PendingRegion {
  uintptr_t base;
  size_t size;
};
constexpr int kMaxPending = 8;
PendingRegion pending[kMaxPending];
int pending_count = 0;

// Large blocks (at least kLargeThreshold bytes) are page-aligned and carved from the top
// of the highest free block that fits; their extent lives in large_blocks[], not in
// their memory, so allocating one touches none of its pages (only the free block's
// header, on a page the heap has touched already). Guests allocate their big buffers
// at boot, when every page touched costs a fault.
constexpr size_t kLargeThreshold = 16 * 1024;
constexpr uintptr_t kPage = 4096;
struct LargeBlock {
  uintptr_t base;
  size_t size;
};
constexpr int kMaxLarge = 32;
LargeBlock large_blocks[kMaxLarge];
int large_count = 0;

size_t round_up(size_t v) { return (v + kAlign - 1) & ~(kAlign - 1); }

void insert_free(Block* b) {
  Block** link = &free_list;
  while (*link != nullptr && *link < b) link = &(*link)->next;
  b->next = *link;
  *link = b;
  // Coalesce with the successor, then with the predecessor.
  if (b->next != nullptr && reinterpret_cast<char*>(b) + b->size == reinterpret_cast<char*>(b->next)) {
    b->size += b->next->size;
    b->next = b->next->next;
  }
  if (link != &free_list) {
    Block* prev = reinterpret_cast<Block*>(reinterpret_cast<char*>(link) - offsetof(Block, next));
    if (reinterpret_cast<char*>(prev) + prev->size == reinterpret_cast<char*>(b)) {
      prev->size += b->size;
      prev->next = b->next;
    }
  }
}

void add_free_region(uintptr_t base, size_t size) {
  uintptr_t start = (base + kAlign - 1) & ~(kAlign - 1);
  if (start - base >= size) return;
  size_t usable = (size - (start - base)) & ~(kAlign - 1);
  if (usable < 2 * kHeader) return;
  auto* b = reinterpret_cast<Block*>(start);
  b->size = usable;
  insert_free(b);
}

void adopt_pending_regions() {
  for (int i = 0; i < pending_count; ++i) add_free_region(pending[i].base, pending[i].size);
  pending_count = 0;
}

void* malloc_large(size_t size) {
  if (large_count == kMaxLarge) return nullptr;
  const uintptr_t bytes = (size + kPage - 1) & ~(kPage - 1);
  Block* best = nullptr;
  for (Block* b = free_list; b != nullptr; b = b->next) {  // address order: keep the last fit
    const uintptr_t lo = reinterpret_cast<uintptr_t>(b), end = lo + b->size;
    if (end - lo >= bytes && ((end - bytes) & ~(kPage - 1)) >= lo + 2 * kHeader) best = b;
  }
  if (best == nullptr) return nullptr;
  const uintptr_t end = reinterpret_cast<uintptr_t>(best) + best->size;
  const uintptr_t start = (end - bytes) & ~(kPage - 1);
  best->size = start - reinterpret_cast<uintptr_t>(best);  // a tail below a page stays with the block
  large_blocks[large_count++] = {start, end - start};
  return reinterpret_cast<void*>(start);
}

// Gives a large block back to the free list; false when p is not one.
bool free_large(void* p) {
  for (int i = 0; i < large_count; ++i) {
    if (large_blocks[i].base != reinterpret_cast<uintptr_t>(p)) continue;
    auto* b = reinterpret_cast<Block*>(p);
    b->size = large_blocks[i].size;
    large_blocks[i] = large_blocks[--large_count];
    insert_free(b);
    return true;
  }
  return false;
}

}  // namespace

void heap_add_region(uintptr_t base, size_t size) {
  if (pending_count < kMaxPending) pending[pending_count++] = {base, size};
}

size_t heap_free_bytes() {
  adopt_pending_regions();
  size_t total = 0;
  for (Block* b = free_list; b != nullptr; b = b->next) total += b->size;
  return total;
}

}  // namespace rt

using rt::Block;

extern "C" void* malloc(size_t size) {
  if (size == 0 || size > (size_t{1} << 40)) return nullptr;
  rt::adopt_pending_regions();
  if (size >= rt::kLargeThreshold) {
    if (void* p = rt::malloc_large(size)) return p;
  }
  size_t need = rt::round_up(size) + rt::kHeader;
  for (Block** link = &rt::free_list; *link != nullptr; link = &(*link)->next) {
    Block* b = *link;
    if (b->size < need) continue;
    if (b->size - need >= 2 * rt::kHeader) {
      auto* rest = reinterpret_cast<Block*>(reinterpret_cast<char*>(b) + need);
      rest->size = b->size - need;
      rest->next = b->next;
      *link = rest;
      b->size = need;
    } else {
      *link = b->next;
    }
    return reinterpret_cast<char*>(b) + rt::kHeader;
  }
  return nullptr;
}

extern "C" void* calloc(size_t count, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(count, size, &total)) return nullptr;
  void* p = malloc(total);
  if (p != nullptr) memset(p, 0, total);
  return p;
}

extern "C" void free(void* p) {
  if (p == nullptr || rt::free_large(p)) return;
  rt::insert_free(reinterpret_cast<Block*>(static_cast<char*>(p) - rt::kHeader));
}
