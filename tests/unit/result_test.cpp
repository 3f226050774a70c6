#include <catch2/catch.hpp>

#include <cerrno>

#include "vmm/result.h"

using namespace vmm;

namespace {
Result<int> half(int v) {
  if (v % 2 != 0) return Error("odd value");
  return v / 2;
}
Result<int> quarter(int v) {
  int h = VMM_TRY_CTX(half(v), "first half");
  return VMM_TRY(half(h));
}
}  // namespace

TEST_CASE("VMM_TRY propagates the first error with context") {
  CHECK(*quarter(8) == 2);
  auto r = quarter(3);
  REQUIRE_FALSE(r);
  CHECK(r.error().message() == "first half: odd value");
  auto r2 = quarter(6);
  REQUIRE_FALSE(r2);
  CHECK(r2.error().message() == "odd value");
}

TEST_CASE("Error::from_errno names the step and errno") {
  Error e = Error::from_errno("open /nonexistent", ENOENT);
  CHECK(e.message() == "open /nonexistent: No such file or directory");
  CHECK(e.sys_errno() == ENOENT);
}

TEST_CASE("Result<void> carries success or an error") {
  Result<void> ok_result = ok();
  CHECK(ok_result);
  Result<void> bad = Error("nope");
  CHECK_FALSE(bad);
  CHECK(std::move(bad).with_context("step").error().message() == "step: nope");
}
