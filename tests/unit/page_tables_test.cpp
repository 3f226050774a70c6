#include <catch2/catch.hpp>

#include <vector>

#include "arch/x86_64/page_tables.h"

using namespace vmm;
using namespace vmm::x86;

namespace {
struct Fixture {
  std::vector<std::byte> bytes = std::vector<std::byte>(8 << 20);
  GuestMemory mem{bytes.data(), bytes.size()};
};
constexpr uint64_t kTables = 0x10000;
constexpr uint64_t kTablesEnd = 0x20000;
}  // namespace

TEST_CASE("Identity tables translate every mapped page to itself with its permissions") {
  Fixture f;
  std::vector<PageMapping> maps = {
      {0x1000, 0x1000, {false, false, false, false}},  // supervisor read-only
      {0x100000, 0x3000, {false, true, true, false}},  // user text
      {0x103000, 0x1000, {true, true, false, false}},  // user data
      {0x200000, 0x400000, {true, true, false, false}},  // large pages
  };
  auto t = build_identity_page_tables(f.mem, kTables, kTablesEnd, maps);
  REQUIRE(t);
  CHECK(t->cr3 == kTables);

  auto text = translate(f.mem, t->cr3, 0x101234);
  REQUIRE(text);
  CHECK(text->gpa == 0x101234);
  CHECK(text->perms.user);
  CHECK(text->perms.executable);
  CHECK_FALSE(text->perms.writable);

  auto data = translate(f.mem, t->cr3, 0x103008);
  REQUIRE(data);
  CHECK(data->perms.writable);
  CHECK_FALSE(data->perms.executable);

  auto sup = translate(f.mem, t->cr3, 0x1000);
  REQUIRE(sup);
  CHECK_FALSE(sup->perms.user);

  auto big = translate(f.mem, t->cr3, 0x5fffff);
  REQUIRE(big);
  CHECK(big->gpa == 0x5fffff);

  CHECK_FALSE(translate(f.mem, t->cr3, 0).has_value());         // null guard
  CHECK_FALSE(translate(f.mem, t->cr3, 0x104000).has_value());  // gap after data
  CHECK_FALSE(translate(f.mem, t->cr3, 0x600000).has_value());  // beyond the mappings
}

TEST_CASE("A 2 MiB region covered whole by one mapping uses one large page") {
  Fixture f;
  PageMapping m{0x200000, 0x200000, {true, true, false, false}};
  auto t = build_identity_page_tables(f.mem, kTables, kTablesEnd, {&m, 1});
  REQUIRE(t);
  // PML4 + PDPT + PD, no page table.
  CHECK(t->tables_end == kTables + 3 * 0x1000);
}

TEST_CASE("Entries have accessed and dirty preset so the tables are never written") {
  Fixture f;
  PageMapping m{0x100000, 0x1000, {true, true, false, false}};
  auto t = build_identity_page_tables(f.mem, kTables, kTablesEnd, {&m, 1});
  REQUIRE(t);
  // Walk down by hand to the 4 KiB entry.
  uint64_t pml4e = *f.mem.read<uint64_t>(t->cr3);
  uint64_t pdpte = *f.mem.read<uint64_t>(pml4e & kPteAddressMask);
  uint64_t pde = *f.mem.read<uint64_t>(pdpte & kPteAddressMask);
  uint64_t pte = *f.mem.read<uint64_t>((pde & kPteAddressMask) + (0x100000 >> 12 & 511) * 8);
  CHECK((pml4e & kPteAccessed) != 0);
  CHECK((pte & (kPteAccessed | kPteDirty)) == (kPteAccessed | kPteDirty));
  CHECK((pte & kPteNoExecute) != 0);
}

TEST_CASE("Misaligned or overlapping mappings are refused") {
  Fixture f;
  PageMapping misaligned{0x100800, 0x1000, {}};
  auto r = build_identity_page_tables(f.mem, kTables, kTablesEnd, {&misaligned, 1});
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "page table builder: bad mapping [0x100800, +0x1000)");
  std::vector<PageMapping> overlap = {{0x100000, 0x2000, {}}, {0x101000, 0x1000, {}}};
  auto r2 = build_identity_page_tables(f.mem, kTables, kTablesEnd, overlap);
  REQUIRE_FALSE(r2);
  CHECK(r2.error().message() == "page table builder: bad mapping [0x101000, +0x1000)");
}

TEST_CASE("Tables that do not fit their area are refused") {
  Fixture f;
  // 4 KiB pages scattered over 8 separate 2 MiB regions need 8 page tables + 3.
  std::vector<PageMapping> maps;
  for (uint64_t i = 0; i < 8; ++i) maps.push_back({i * 0x200000 + 0x1000, 0x1000, {}});
  auto r = build_identity_page_tables(f.mem, kTables, kTables + 4 * 0x1000, maps);
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "page tables do not fit in [0x10000, 0x14000)");
}

TEST_CASE("translate survives tables pointing outside guest memory") {
  Fixture f;
  REQUIRE(f.mem.write<uint64_t>(kTables, 0x7fff000000ull | kPtePresent));  // PML4[0] -> nowhere
  CHECK_FALSE(translate(f.mem, kTables, 0x1000).has_value());
}
