// The send queue: copied and referenced chunks, ring wrap, partial drops.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "net/send_queue.h"

namespace {

std::string gathered(const gnet::SendQueue& q, size_t offset, size_t length, size_t max_slices = 8) {
  gnet::Slice slices[8];
  size_t count = 0;
  size_t covered = q.gather(offset, length, slices, max_slices, &count);
  std::string out;
  for (size_t i = 0; i < count; ++i) out.append(static_cast<const char*>(slices[i].data), slices[i].length);
  REQUIRE(out.size() == covered);
  return out;
}

std::unique_ptr<gnet::SendQueue> make_queue() {
  auto q = std::make_unique<gnet::SendQueue>();
  q->reset();
  return q;
}

}  // namespace

TEST_CASE("SendQueueReferencesAreNotCopied") {
  auto q = make_queue();
  static const char body[] = "static body";
  REQUIRE(q->push_ref(body, 11));
  gnet::Slice s[2];
  size_t count = 0;
  q->gather(0, 11, s, 2, &count);
  REQUIRE(count == 1);
  CHECK(s[0].data == body);
}

TEST_CASE("SendQueueMixesCopiesAndReferencesInOrder") {
  auto q = make_queue();
  static const char body[] = "BODY";
  CHECK(q->push_copy("head1 ", 6) == 6);
  CHECK(q->push_ref(body, 4));
  CHECK(q->push_copy("head2 ", 6) == 6);
  CHECK(q->push_copy("more", 4) == 4);  // merges with the ring tail chunk
  CHECK(q->chunks_free() == gnet::SendQueue::kMaxChunks - 3);
  CHECK(q->size() == 20);
  CHECK(gathered(*q, 0, 20) == "head1 BODYhead2 more");
  CHECK(gathered(*q, 3, 9) == "d1 BODYhe");
  q->drop_front(8);
  CHECK(gathered(*q, 0, 100) == "DYhead2 more");
}

TEST_CASE("SendQueueCopiesWrapAroundTheRing") {
  auto q = make_queue();
  std::string a(1000, 'a');
  REQUIRE(q->push_copy(a.data(), a.size()) == 1000);
  q->drop_front(900);
  std::string b = "0123456789abcdefghijklmnopqrstuvwxyz";
  REQUIRE(q->push_copy(b.data(), b.size()) == b.size());  // crosses the ring's end
  CHECK(gathered(*q, 95, 41) == "aaaaa" + b);
  CHECK(gathered(*q, 95, 41, 1).size() < 41);  // one slice cannot cover the wrap
}

TEST_CASE("SendQueueRefusesCopiesBeyondTheRingAndChunksBeyondTheTable") {
  auto q = make_queue();
  std::string big(gnet::SendQueue::kRingBytes + 10, 'x');
  CHECK(q->push_copy(big.data(), big.size()) == gnet::SendQueue::kRingBytes);
  CHECK(q->copy_space() == 0);
  auto r = make_queue();
  static const char c = 'c';
  for (size_t i = 0; i < gnet::SendQueue::kMaxChunks; ++i) REQUIRE(r->push_ref(&c, 1));
  CHECK_FALSE(r->push_ref(&c, 1));
  CHECK(r->copy_space() == 0);  // a copy would need a chunk too
  r->drop_front(1);
  CHECK(r->push_ref(&c, 1));
}

TEST_CASE("SendQueueRefusesMoreThanItsByteLimit") {
  auto q = make_queue();
  static const char c = 'c';
  CHECK_FALSE(q->push_ref(&c, gnet::SendQueue::kMaxBytes + 1));
  CHECK(q->push_ref(&c, gnet::SendQueue::kMaxBytes));
}
