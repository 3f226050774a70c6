#include <catch2/catch.hpp>

#include "core/checked_math.h"

using namespace vmm;

TEST_CASE("checked_add detects unsigned overflow") {
  CHECK(checked_add(1, 2) == 3u);
  CHECK(checked_add(UINT64_MAX, 0) == UINT64_MAX);
  CHECK_FALSE(checked_add(UINT64_MAX, 1).has_value());
  CHECK_FALSE(checked_mul(UINT64_MAX / 2 + 1, 2).has_value());
}

TEST_CASE("range_within: whole range inside, overflow outside") {
  CHECK(range_within(0, 0x1000, 0x1000));
  CHECK(range_within(0x1000, 0, 0x1000));
  CHECK_FALSE(range_within(0x1000, 1, 0x1000));
  CHECK_FALSE(range_within(UINT64_MAX - 1, 4, UINT64_MAX));
}

TEST_CASE("ranges_overlap ignores empty ranges and touching ends") {
  CHECK(ranges_overlap(0, 10, 9, 1));
  CHECK_FALSE(ranges_overlap(0, 10, 10, 1));
  CHECK_FALSE(ranges_overlap(5, 0, 0, 10));
}

TEST_CASE("alignment helpers") {
  CHECK(align_up(1, 4096) == 4096);
  CHECK(align_down(4097, 4096) == 4096);
  CHECK(is_power_of_two(256));
  CHECK_FALSE(is_power_of_two(0));
  CHECK_FALSE(is_power_of_two(384));
}
