// The split virtqueue against a hostile driver (virtio 1.2 section 2.7). Each test is
// named after the attack and asserts the device's exact response; the fake RAM is fenced
// by PROT_NONE pages, so any access outside guest RAM would crash the test.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "fake_guest.h"

using namespace vmm::virtio;
using namespace vmm::virtio::test;

namespace {

struct Fixture {
  FakeRam ram{64 * 1024};
  DriverQueue q{ram, 0x1000, 8};
  Virtqueue vq;
  DescriptorChain chain;

  explicit Fixture(Virtqueue::Options options = {8, false, true, 16}) {
    auto created = Virtqueue::create(ram.memory(), q.layout(), options);
    REQUIRE(created.has_value());
    vq = std::move(*created);
  }
  Virtqueue::Pop pop() { return vq.pop(chain); }
};

std::byte bytes16[16] = {};

}  // namespace

TEST_CASE("WellFormedChain: segments copied in order with sizes", "[virtqueue]") {
  Fixture f;
  f.q.chain().readable(bytes16).writable(512).writable(1).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::Chain);
  CHECK(f.chain.segments.size() == 3);
  CHECK(f.chain.readable_bytes == 16);
  CHECK(f.chain.writable_bytes == 513);
  CHECK(f.pop() == Virtqueue::Pop::Empty);
}

TEST_CASE("ChainCycle: the TTL ends the walk", "[virtqueue][attack]") {
  Fixture f;
  const uint64_t buf = f.ram.alloc(16);
  f.q.write_desc(0, {buf, 16, kDescFNext, 1});
  f.q.write_desc(1, {buf, 16, kDescFNext, 0});
  f.q.make_available(0);
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::TooLong);
  CHECK(f.chain.head == 0);
}

TEST_CASE("SelfLoopInIndirectTable: the table's TTL ends the walk", "[virtqueue][attack]") {
  Fixture f;
  const uint64_t buf = f.ram.alloc(16);
  const VirtqDesc table[] = {{buf, 16, kDescFNext, 1}, {buf, 16, kDescFNext, 0}};
  f.q.chain().indirect(table).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::TooLong);
}

TEST_CASE("DescriptorIndexOutOfRange: next beyond the table", "[virtqueue][attack]") {
  Fixture f;
  const uint64_t buf = f.ram.alloc(16);
  f.q.write_desc(0, {buf, 16, kDescFNext, 8});  // size is 8
  f.q.make_available(0);
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::NextOutOfRange);
}

TEST_CASE("AvailRingEntryOutOfRange: the queue breaks, nothing is walked", "[virtqueue][attack]") {
  Fixture f;
  f.q.set_avail_entry(0, 0xffff);
  f.q.set_avail_idx(1);
  CHECK(f.pop() == Virtqueue::Pop::Broken);
  CHECK(std::string(f.vq.broken_reason()) == "available ring entry is not a descriptor index");
  CHECK(f.pop() == Virtqueue::Pop::Broken);  // stays broken until reset
}

TEST_CASE("AvailIndexJump: more than the queue size ahead breaks the queue", "[virtqueue][attack]") {
  Fixture f;
  f.q.set_avail_idx(9);  // size 8
  CHECK(f.pop() == Virtqueue::Pop::Broken);
  CHECK(std::string(f.vq.broken_reason()) == "available index ran ahead of the queue size");
  CHECK(f.vq.pending() == 0);
}

TEST_CASE("AvailIndexExactlyFull: the queue size ahead is legal", "[virtqueue]") {
  Fixture f;
  for (int i = 0; i < 8; ++i) f.q.chain().writable(4).publish();
  CHECK(f.vq.pending() == 8);
  for (int i = 0; i < 8; ++i) CHECK(f.pop() == Virtqueue::Pop::Chain);
  CHECK(f.pop() == Virtqueue::Pop::Empty);
}

TEST_CASE("AddressPlusLengthOverflow: refused without wrapping", "[virtqueue][attack]") {
  Fixture f;
  f.q.chain().raw(UINT64_MAX - 7, 64, 0).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::BufferOutsideRam);
}

TEST_CASE("BufferOutsideRam: a range crossing the end of RAM", "[virtqueue][attack]") {
  Fixture f;
  f.q.chain().raw(f.ram.size() - 8, 16, kDescFWrite).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::BufferOutsideRam);
  CHECK(f.chain.segments.empty());
}

TEST_CASE("HugeLength: a 4 GiB descriptor in 64 KiB of RAM", "[virtqueue][attack]") {
  Fixture f;
  f.q.chain().raw(0, UINT32_MAX, kDescFWrite).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::BufferOutsideRam);
}

TEST_CASE("ZeroLength: zero-length descriptors are dropped from the copy", "[virtqueue][attack]") {
  Fixture f;
  f.q.chain().raw(f.ram.size() + 4096, 0, 0).writable(8).publish();  // even pointing outside RAM
  REQUIRE(f.pop() == Virtqueue::Pop::Chain);
  REQUIRE(f.chain.segments.size() == 1);
  CHECK(f.chain.segments[0].writable);
  CHECK(f.chain.readable_bytes == 0);
}

TEST_CASE("ReadableAfterWritable: violates 2.7.4.2", "[virtqueue][attack]") {
  Fixture f;
  f.q.chain().writable(8).readable(bytes16).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::ReadableAfterWritable);
}

TEST_CASE("IndirectNotNegotiated", "[virtqueue][attack]") {
  Fixture f({8, false, false, 16});
  const VirtqDesc table[] = {{f.ram.alloc(8), 8, kDescFWrite, 0}};
  f.q.chain().indirect(table).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::IndirectNotNegotiated);
}

TEST_CASE("IndirectNested: an indirect descriptor inside the table", "[virtqueue][attack]") {
  Fixture f;
  const VirtqDesc table[] = {{f.ram.alloc(16), 16, kDescFIndirect, 0}};
  f.q.chain().indirect(table).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::IndirectNested);
}

TEST_CASE("IndirectWithNext: INDIRECT and NEXT together", "[virtqueue][attack]") {
  Fixture f;
  const VirtqDesc table[] = {{f.ram.alloc(8), 8, kDescFWrite, 0}};
  f.q.chain().indirect(table, kDescFNext).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::IndirectWithNext);
}

TEST_CASE("IndirectBadSize: partial entry, empty and oversized tables", "[virtqueue][attack]") {
  Fixture f;
  const uint64_t t = f.ram.alloc(16 * 32);
  for (uint32_t len : {15u, 0u, 16u * 17}) {  // max_indirect is 16
    f.q.chain().raw(t, len, kDescFIndirect).publish();
    REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
    CHECK(f.chain.error == ChainError::IndirectBadSize);
  }
}

TEST_CASE("IndirectTableOutsideRam", "[virtqueue][attack]") {
  Fixture f;
  f.q.chain().raw(f.ram.size() - 16, 32, kDescFIndirect).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::BufferOutsideRam);
}

TEST_CASE("IndirectNextOutOfRange: next beyond the table", "[virtqueue][attack]") {
  Fixture f;
  const VirtqDesc table[] = {{f.ram.alloc(8), 8, kDescFNext, 5}};
  f.q.chain().indirect(table).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::BadChain);
  CHECK(f.chain.error == ChainError::NextOutOfRange);
}

TEST_CASE("IndirectWellFormed: the table's buffers are the chain", "[virtqueue]") {
  Fixture f;
  const VirtqDesc table[] = {{f.ram.alloc(16), 16, kDescFNext, 1}, {f.ram.alloc(64), 64, kDescFWrite, 0}};
  f.q.chain().indirect(table).publish();
  REQUIRE(f.pop() == Virtqueue::Pop::Chain);
  CHECK(f.chain.readable_bytes == 16);
  CHECK(f.chain.writable_bytes == 64);
}

TEST_CASE("CreateRejectsBadLayouts", "[virtqueue][attack]") {
  FakeRam ram(64 * 1024);
  DriverQueue q(ram, 0x1000, 8);
  auto layout = q.layout();
  auto fails = [&](Virtqueue::Layout l, uint16_t max, const std::string& text) {
    auto r = Virtqueue::create(ram.memory(), l, {max, false, false, 16});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message() == text);
  };
  auto l = layout;
  l.size = 6;
  fails(l, 8, "queue size 6 is not a power of two in [1, 8]");
  l.size = 16;
  fails(l, 8, "queue size 16 is not a power of two in [1, 8]");
  l = layout;
  l.desc += 8;
  fails(l, 8, "descriptor table at 0x1008 is not 16-byte aligned");
  l = layout;
  l.used += 2;
  fails(l, 8, fmt::format("device area (used ring) at {:#x} is not 4-byte aligned", l.used));
  l = layout;
  l.avail = ram.size() - 4;
  fails(l, 8, fmt::format("driver area (avail ring) [{:#x}, +0x16) lies outside guest RAM", l.avail));
}

TEST_CASE("UsedRingAndInterruptSuppression", "[virtqueue]") {
  SECTION("without EVENT_IDX: VRING_AVAIL_F_NO_INTERRUPT") {
    Fixture f;
    f.q.chain().writable(4).publish();
    REQUIRE(f.pop() == Virtqueue::Pop::Chain);
    f.vq.add_used(f.chain.head, 3);
    CHECK(f.vq.publish());
    CHECK(f.q.used_idx() == 1);
    CHECK(f.q.used(0).len == 3);
    f.ram.put<uint16_t>(f.q.layout().avail, kAvailFNoInterrupt);
    f.q.chain().writable(4).publish();
    REQUIRE(f.pop() == Virtqueue::Pop::Chain);
    f.vq.add_used(f.chain.head, 0);
    CHECK_FALSE(f.vq.publish());
  }
  SECTION("with EVENT_IDX: used_event") {
    Fixture f({8, true, false, 16});
    for (int i = 0; i < 3; ++i) f.q.chain().writable(4).publish();
    f.q.set_used_event(1);  // wants to hear once used->idx passes 1
    REQUIRE(f.pop() == Virtqueue::Pop::Chain);
    f.vq.add_used(f.chain.head, 0);
    CHECK_FALSE(f.vq.publish());  // 0 -> 1
    REQUIRE(f.pop() == Virtqueue::Pop::Chain);
    f.vq.add_used(f.chain.head, 0);
    CHECK(f.vq.publish());  // 1 -> 2 crosses it
    CHECK(f.vq.set_notification(true));  // the third chain is already there
    CHECK(f.q.avail_event() == 2);      // next index the device wants to hear about
    REQUIRE(f.pop() == Virtqueue::Pop::Chain);
    f.vq.set_notification(false);
    CHECK(f.q.avail_event() == 2);  // one behind next_avail (3): never
  }
  SECTION("without EVENT_IDX: VRING_USED_F_NO_NOTIFY") {
    Fixture f;
    f.vq.set_notification(false);
    CHECK(f.q.used_flags() == kUsedFNoNotify);
    f.q.chain().writable(4).publish();
    CHECK(f.vq.set_notification(true));  // work arrived meanwhile
    CHECK(f.q.used_flags() == 0);
  }
}

TEST_CASE("RollbackReturnsChainsUnpublished", "[virtqueue]") {
  Fixture f;
  f.q.chain().writable(4).publish();
  const auto mark = f.vq.mark();
  REQUIRE(f.pop() == Virtqueue::Pop::Chain);
  f.vq.add_used(f.chain.head, 4);
  f.vq.rollback(mark);
  CHECK_FALSE(f.vq.publish());
  CHECK(f.q.used_idx() == 0);
  CHECK(f.pop() == Virtqueue::Pop::Chain);
}
